import { App, Duration, RemovalPolicies, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  EnvironmentAccountConnection,
  EnvironmentAccountConnectionAcceptor,
  EnvironmentAccountProtonRole,
  ProtonEnvironmentLink,
  ProvisioningPermissions,
} from '../../src';

/** The library behaves like aws-cdk-lib's own constructs: Tags, removal policies, imports, type checks, handler settings. */
const MANAGEMENT = '111111111111';
const ENVIRONMENT = '222222222222';
const REGION = 'us-east-1';

function setup() {
  const app = new App();
  const environment = new Stack(app, 'Env', { env: { account: ENVIRONMENT, region: REGION } });
  const management = new Stack(app, 'Mgmt', { env: { account: MANAGEMENT, region: REGION } });
  const role = new EnvironmentAccountProtonRole(environment, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['dev', 'qa'] });
  const connection = new EnvironmentAccountConnection(environment, 'Connection', {
    managementAccountId: MANAGEMENT, environmentName: 'dev', role, tags: { team: 'platform' },
  });
  return { app, environment, management, role, connection };
}

const connectionResource = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('Custom::ProtonEnvironmentAccountConnection'))[0] as any;

describe('Tags.of() reaches the connection', () => {
  test('tags added at the app, the stack or the connection are the connection\'s, merged with the prop; removal and priorities work', () => {
    const { app, environment, connection } = setup();
    Tags.of(app).add('cost-center', '42');
    Tags.of(environment).add('team', 'overridden-by-stack', { priority: 200 });
    Tags.of(connection).add('stage', 'dev');
    Tags.of(app).add('excluded', 'x', { excludeResourceTypes: ['Custom::ProtonEnvironmentAccountConnection'] });
    expect(connectionResource(environment).Properties.Tags).toEqual({ 'cost-center': '42', 'stage': 'dev', 'team': 'overridden-by-stack' });
    expect(connection.cdkTagManager.tagValues()).toEqual({ 'cost-center': '42', 'stage': 'dev', 'team': 'overridden-by-stack' });
    // the role and the handler's function are tagged as any aws-cdk-lib resource is
    Template.fromStack(environment).hasResourceProperties('AWS::IAM::Role', { Tags: Match.arrayWith([{ Key: 'cost-center', Value: '42' }]) });
  });

  test('Tags.removeTag takes a prop tag away; no tags at all leaves the property out', () => {
    const { environment, connection } = setup();
    Tags.of(connection).remove('team');
    expect(connectionResource(environment).Properties.Tags).toBeUndefined();
  });

  test('tags added with Tags.of() are validated at synth like the prop', () => {
    const { app, connection } = setup();
    for (let i = 0; i < 50; i++) Tags.of(connection).add(`k${i}`, 'v');
    expect(() => app.synth()).toThrow(/Env\/Connection: invalid tags .*must hold at most 50 tags \(got 51\)/);
  });
});

describe('removal policies: one mechanism, CloudFormation\'s DeletionPolicy', () => {
  test.each([
    ['the prop', (c: EnvironmentAccountConnection) => c],
    ['applyRemovalPolicy()', (c: EnvironmentAccountConnection) => c.applyRemovalPolicy(RemovalPolicy.RETAIN)],
    ['RemovalPolicies.of(stack).retain()', (c: EnvironmentAccountConnection) => RemovalPolicies.of(Stack.of(c)).retain()],
  ])('%s: the connection and the roles it names are retained', (how, apply) => {
    const app = new App();
    const environment = new Stack(app, 'Env', { env: { account: ENVIRONMENT, region: REGION } });
    const role = new EnvironmentAccountProtonRole(environment, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['dev'] });
    const connection = new EnvironmentAccountConnection(environment, 'Connection', {
      managementAccountId: MANAGEMENT, environmentName: 'dev', role, removalPolicy: how === 'the prop' ? RemovalPolicy.RETAIN : undefined,
    });
    apply(connection);
    const template = Template.fromStack(environment);
    expect(connectionResource(environment)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(connectionResource(environment).Properties.RetainOnDelete).toBeUndefined();
    const protonRole = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('ProtonRole'))![1];
    expect(protonRole).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  test('RETAIN_ON_UPDATE_OR_DELETE retains (except when its creation rolls back); SNAPSHOT is refused; DESTROY leaves CloudFormation\'s default', () => {
    const { environment, connection } = setup();
    connection.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    expect(connectionResource(environment)).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate' });
    expect(() => connection.applyRemovalPolicy(RemovalPolicy.SNAPSHOT)).toThrow(/Env\/Connection: invalid removalPolicy "snapshot"/);
    const fresh = setup();
    expect(Object.keys(connectionResource(fresh.environment))).toEqual(['Type', 'Properties']);
  });
});

describe('imports and type checks', () => {
  test('fromConnectionAttributes: an existing connection by id, its ARN in this account and Region unless given', () => {
    const { environment } = setup();
    const imported = EnvironmentAccountConnection.fromConnectionAttributes(environment, 'Existing', { connectionId: '0f0e0d0c-0000-4000-8000-000000000000' });
    expect(imported.connectionId).toBe('0f0e0d0c-0000-4000-8000-000000000000');
    expect(environment.resolve(imported.connectionArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:proton:${REGION}:${ENVIRONMENT}:environment-account-connection/0f0e0d0c-0000-4000-8000-000000000000`]],
    });
    expect(imported.env).toEqual({ account: ENVIRONMENT, region: REGION });
    expect(() => EnvironmentAccountConnection.fromConnectionAttributes(environment, 'Bad', { connectionId: 'Not-A-Uuid' })).toThrow(
      'Env/Bad: invalid connectionId "Not-A-Uuid": must be a connection id, a lowercase UUID');
  });

  test('isX() answers for instances of any copy of the library, never for look-alikes', () => {
    const { connection, management } = setup();
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { trustedAccounts: [ENVIRONMENT] });
    expect(EnvironmentAccountConnection.isEnvironmentAccountConnection(connection)).toBe(true);
    expect(EnvironmentAccountConnection.isEnvironmentAccountConnection(acceptor)).toBe(false);
    expect(EnvironmentAccountConnection.isEnvironmentAccountConnection({ connectionId: 'x' })).toBe(false);
    expect(EnvironmentAccountConnectionAcceptor.isEnvironmentAccountConnectionAcceptor(acceptor)).toBe(true);
    expect(EnvironmentAccountConnectionAcceptor.isEnvironmentAccountConnectionAcceptor(connection)).toBe(false);
    const { role } = setup();
    expect(EnvironmentAccountProtonRole.isEnvironmentAccountProtonRole(role)).toBe(true);
    expect(EnvironmentAccountProtonRole.isEnvironmentAccountProtonRole(iam.Role.fromRoleArn(role, 'Imported', `arn:aws:iam::${ENVIRONMENT}:role/x`))).toBe(false);
    // another copy of the library marks its instances with the same global symbol
    const other = { [Symbol.for('cdk-proton-account-connections.EnvironmentAccountConnection')]: true };
    expect(EnvironmentAccountConnection.isEnvironmentAccountConnection(other)).toBe(true);
  });
});

describe('the handler\'s environment', () => {
  test('handlerOptions.environment reaches the function (e.g. a Proton-compatible endpoint); Lambda\'s reserved variables are refused', () => {
    const app = new App();
    const environment = new Stack(app, 'Env', { env: { account: ENVIRONMENT, region: REGION } });
    const role = iam.Role.fromRoleArn(environment, 'Role', `arn:aws:iam::${ENVIRONMENT}:role/proton`);
    const handlerOptions = { environment: { AWS_ENDPOINT_URL_PROTON: 'https://proton.example.internal' } };
    new EnvironmentAccountConnection(environment, 'Connection', { managementAccountId: MANAGEMENT, environmentName: 'dev', role, handlerOptions });
    Template.fromStack(environment).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { AWS_ENDPOINT_URL_PROTON: 'https://proton.example.internal' } } });
    expect(() => new EnvironmentAccountConnection(environment, 'Other', {
      managementAccountId: MANAGEMENT, environmentName: 'qa', role, handlerOptions: { environment: { AWS_ENDPOINT_URL_PROTON: 'https://elsewhere' } },
    })).toThrow(/Env\/Other: invalid handlerOptions: handlerOptions.environment differs from the handlerOptions of Env\/Connection/);
    const other = new Stack(app, 'Env2', { env: { account: ENVIRONMENT, region: REGION } });
    expect(() => new EnvironmentAccountConnection(other, 'Connection', {
      managementAccountId: MANAGEMENT,
      environmentName: 'dev',
      role: iam.Role.fromRoleArn(other, 'Role', `arn:aws:iam::${ENVIRONMENT}:role/proton`),
      handlerOptions: { environment: { AWS_REGION: 'eu-west-1' } },
    })).toThrow('Env2/Connection: invalid handlerOptions.environment key "AWS_REGION": Lambda reserves it (and sets it itself)');
  });
});

describe('ProtonEnvironmentLink: errors name the link and the prop the user set', () => {
  function linkSetup() {
    const { app, environment, management } = setup();
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor');
    return { app, environment, acceptor };
  }

  test('an invalid environment name, tags or timeout is reported on the link, not its inner constructs', () => {
    const { environment, acceptor } = linkSetup();
    expect(() => new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'my dev env' })).toThrow(/^Env\/Dev: invalid environmentName "my dev env": /);
    expect(() => new ProtonEnvironmentLink(environment, 'Tagged', { acceptor, environmentName: 'tagged', tags: { 'aws:x': 'y' } })).toThrow(/^Env\/Tagged: invalid tags /);
    expect(() => new ProtonEnvironmentLink(environment, 'Slow', { acceptor, environmentName: 'slow', acceptanceTimeout: Duration.minutes(5) })).toThrow(
      /^Env\/Slow: invalid acceptanceTimeout "5 minutes": only applies with waitForAcceptance: true/);
    expect(() => new ProtonEnvironmentLink(environment, 'Named', { acceptor, environmentName: 'named', roleName: 'no spaces allowed' })).toThrow(/^Env\/Named: invalid roleName "no spaces allowed"/);
  });

  test('the same environment linked twice is reported on the second link, naming the first', () => {
    const { environment, acceptor } = linkSetup();
    new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'dev2' });
    expect(() => new ProtonEnvironmentLink(environment, 'DevAgain', { acceptor, environmentName: 'dev2' })).toThrow(
      `Env/DevAgain: invalid environmentName "dev2": the connection of account ${ENVIRONMENT} for this environment is already expected by Mgmt/Acceptor (added by Env/Dev): one request per environment`);
  });

  test.each([
    ['roleName', { roleName: 'proton' }],
    ['permissionsBoundary', { permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(new Stack(), 'B', 'boundary') }],
    ['codeBuildRole', { codeBuildRole: {} }],
    ['componentRole', { componentRole: {} }],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromServices('s3')] }],
  ])('%s beside role is refused: the link would ignore it', (prop, extra) => {
    const { environment, acceptor } = linkSetup();
    const role = iam.Role.fromRoleArn(environment, 'Role', `arn:aws:iam::${ENVIRONMENT}:role/proton`);
    expect(() => new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'dev', role, ...extra })).toThrow(
      new RegExp(`^Env/Dev: invalid ${prop} .*: only applies when the link creates the Proton role; with role given, configure that role itself`));
  });
});
