import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  EnvironmentAccountConnection,
  EnvironmentAccountConnectionAcceptor,
  EnvironmentAccountProtonRole,
  ProtonEnvironmentLink,
} from '../../src';

/**
 * What synth refuses or arranges so that a deploy can never wedge a stack: waiting in an order
 * `cdk deploy` cannot satisfy, a retained connection whose roles are deleted, and the
 * end-of-support switch.
 */
const MANAGEMENT = '111111111111';
const ENVIRONMENT = '222222222222';
const REGION = 'us-east-1';

function stacks(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const environment = new Stack(app, 'Env', { env: { account: ENVIRONMENT, region: REGION } });
  const management = new Stack(app, 'Mgmt', { env: { account: MANAGEMENT, region: REGION } });
  return { app, environment, management };
}

function waitingConnection(stack: Stack, props: { removalPolicy?: RemovalPolicy } = {}) {
  const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['dev'] });
  return new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: MANAGEMENT, environmentName: 'dev', role, waitForAcceptance: true, ...props });
}

describe('waiting for acceptance in an order cdk deploy can satisfy', () => {
  test('an acceptor that deploys after the waiting stack is a deadlock, refused at synth with what works', () => {
    const { app, environment, management } = stacks();
    waitingConnection(environment);
    new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { expectedConnections: [{ environmentAccountId: ENVIRONMENT, environmentName: 'dev' }] });
    management.addStackDependency(environment);
    expect(() => app.synth()).toThrow(
      'Env/Connection: waitForAcceptance cannot succeed with Mgmt/Acceptor (stack Mgmt), which accepts this request: cdk deploy deploys Mgmt after Env, '
      + 'so this connection would wait for an acceptance that only comes after it (a deadlock). Either leave waitForAcceptance off '
      + '(the management stack deploys after this one and accepts the request while it deploys), or deploy the management stack first with continuous acceptance '
      + 'and waitAtDeploy: false for this pair, and make this stack depend on it (ProtonEnvironmentLink with waitForAcceptance: true wires exactly that).');
  });

  test.each([
    ['no dependency either way', (_e: Stack, _m: Stack) => undefined, {}, {}, /neither stack depends on the other/],
    ['management first, no continuous acceptance', (e: Stack, m: Stack) => e.addStackDependency(m), {}, { waitAtDeploy: false }, /invalid waitAtDeploy false: needs continuousAcceptance/],
    ['management first, no continuous acceptance, pair awaited', (e: Stack, m: Stack) => e.addStackDependency(m), {}, {}, /it deploys first but has no continuous acceptance/],
    ['management first, continuous, but the pair awaited at deploy', (e: Stack, m: Stack) => e.addStackDependency(m), { continuousAcceptance: {} }, {}, /it deploys first and waits at deploy for a request this stack files only after it/],
  ])('%s: refused', (_what, order, acceptorProps, options, message) => {
    const { app, environment, management } = stacks();
    waitingConnection(environment);
    expect(() => {
      const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', acceptorProps);
      acceptor.addExpectedConnection({ environmentAccountId: ENVIRONMENT, environmentName: 'dev', ...options });
      order(environment, management);
      app.synth();
    }).toThrow(message);
  });

  test('an account-wide entry counts as accepting the request', () => {
    const { app, environment, management } = stacks();
    waitingConnection(environment);
    new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { trustedAccounts: [ENVIRONMENT] });
    management.addStackDependency(environment);
    expect(() => app.synth()).toThrow(/a deadlock/);
  });

  test('management first, continuous acceptance, pair not awaited: synthesizes; an acceptor of another management account is not considered', () => {
    const { app, environment, management } = stacks();
    waitingConnection(environment);
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { continuousAcceptance: {} });
    acceptor.addExpectedConnection({ environmentAccountId: ENVIRONMENT, environmentName: 'dev', waitAtDeploy: false });
    environment.addStackDependency(management);
    const elsewhere = new Stack(app, 'OtherMgmt', { env: { account: '333333333333', region: REGION } });
    new EnvironmentAccountConnectionAcceptor(elsewhere, 'Acceptor', { expectedConnections: [{ environmentAccountId: ENVIRONMENT, environmentName: 'dev' }] });
    elsewhere.addStackDependency(environment);
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(management).hasResourceProperties('Custom::ProtonConnectionAcceptance', { ListedPairs: [`${ENVIRONMENT}/dev`], Pairs: Match.absent() });
    Template.fromStack(management).hasResourceProperties('AWS::SSM::Parameter', { Value: JSON.stringify({ pairs: [`${ENVIRONMENT}/dev`], accounts: [] }) });
    expect(() => acceptor.connectionId(ENVIRONMENT, 'dev')).toThrow(
      `Mgmt/Acceptor: invalid connectionId "${ENVIRONMENT}/dev": is accepted when filed (waitAtDeploy: false), after this stack deploys: its id is not known to this stack`);
  });

  test('ProtonEnvironmentLink with waitForAcceptance deploys the management stack first and lists the pair without waiting for it', () => {
    const { app, environment, management } = stacks();
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { continuousAcceptance: {} });
    const link = new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'dev', waitForAcceptance: true, acceptanceTimeout: Duration.minutes(5) });
    expect(environment.dependencies).toEqual([management]);
    expect(management.dependencies).toEqual([]);
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(environment).hasResourceProperties('Custom::ProtonEnvironmentAccountConnection', { WaitForAcceptance: true, AcceptanceTimeoutSeconds: 300 });
    Template.fromStack(management).hasResourceProperties('Custom::ProtonConnectionAcceptance', { ListedPairs: [`${ENVIRONMENT}/dev`] });
    expect(() => link.acceptedConnectionId).toThrow(/Env\/Dev: invalid acceptedConnectionId undefined: is not available with waitForAcceptance/);
  });

  test('ProtonEnvironmentLink with waitForAcceptance needs continuous acceptance; links of two stacks must agree on the order', () => {
    const first = stacks();
    const plain = new EnvironmentAccountConnectionAcceptor(first.management, 'Acceptor');
    expect(() => new ProtonEnvironmentLink(first.environment, 'Dev', { acceptor: plain, environmentName: 'dev', waitForAcceptance: true })).toThrow(
      'Env/Dev: invalid waitForAcceptance true: needs continuousAcceptance on Mgmt/Acceptor: the management stack deploys first, and only continuous acceptance accepts the request when this link files it');

    const second = stacks();
    const acceptor = new EnvironmentAccountConnectionAcceptor(second.management, 'Acceptor', { continuousAcceptance: {} });
    new ProtonEnvironmentLink(second.environment, 'Dev', { acceptor, environmentName: 'dev' });
    expect(() => new ProtonEnvironmentLink(second.environment, 'Prod', { acceptor, environmentName: 'prod', waitForAcceptance: true })).toThrow(
      /Env\/Prod: invalid waitForAcceptance true: waits, so stack Env must deploy after Mgmt, but another link made it the other way round/);
  });
});

describe('RETAIN never keeps a connection that names a deleted role', () => {
  test('the roles it names that this stack creates are retained with it, policies added later included', () => {
    const { environment } = stacks();
    const role = new EnvironmentAccountProtonRole(environment, 'ProtonRole', {
      managementAccountId: MANAGEMENT, environmentNames: ['dev'], codeBuildRole: {}, componentRole: {},
    });
    new EnvironmentAccountConnection(environment, 'Connection', { managementAccountId: MANAGEMENT, environmentName: 'dev', role, removalPolicy: RemovalPolicy.RETAIN });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'], resources: ['*'], conditions: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } },
    }));
    const template = Template.fromStack(environment);
    const iamResources = { ...template.findResources('AWS::IAM::Role'), ...template.findResources('AWS::IAM::Policy') };
    const proton = Object.entries(iamResources).filter(([id]) => id.startsWith('ProtonRole'));
    expect(proton.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ProtonRole', 'ProtonRoleCodeBuildRole', 'ProtonRoleComponentRole', 'ProtonRoleDefaultPolicy']);
    for (const [, resource] of proton) expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // the handler's own role is not retained: it is not named by the connection
    const handlerRole = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('ProtonEnvironmentAccountConnectionProvider'))!;
    expect(handlerRole[1].DeletionPolicy).toBeUndefined();
    Annotations.fromStack(environment).hasInfo('/Env/Connection', Match.stringLikeRegexp('the roles the connection names \\(Env/ProtonRole, Env/ProtonRole/CodeBuildRole, Env/ProtonRole/ComponentRole\\) are retained with it'));
  });

  test('a role this stack does not create is left alone; DESTROY retains nothing', () => {
    const { environment } = stacks();
    const imported = iam.Role.fromRoleArn(environment, 'Imported', `arn:aws:iam::${ENVIRONMENT}:role/proton-dev`);
    new EnvironmentAccountConnection(environment, 'Kept', { managementAccountId: MANAGEMENT, environmentName: 'dev', role: imported, removalPolicy: RemovalPolicy.RETAIN });
    const role = new EnvironmentAccountProtonRole(environment, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['prod'] });
    new EnvironmentAccountConnection(environment, 'Deleted', { managementAccountId: MANAGEMENT, environmentName: 'prod', role });
    const roles = Template.fromStack(environment).findResources('AWS::IAM::Role');
    expect(Object.values(roles).every((resource: any) => resource.DeletionPolicy === undefined)).toBe(true);
  });
});

describe('the end-of-support switch', () => {
  const KEY = 'cdk-proton-account-connections:endOfSupport';

  test.each([[true], ['true']])('on (%p): every custom resource carries it, continuous acceptance has no rule, synth says so once', (value) => {
    const { app, environment, management } = stacks({ [KEY]: value });
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { continuousAcceptance: { rejectUnlisted: true } });
    new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'dev' });
    new ProtonEnvironmentLink(environment, 'Prod', { acceptor, environmentName: 'prod' });
    app.synth();
    Template.fromStack(environment).allResourcesProperties('Custom::ProtonEnvironmentAccountConnection', { EndOfSupport: true });
    Template.fromStack(management).allResourcesProperties('Custom::ProtonConnectionAcceptance', { EndOfSupport: true });
    Template.fromStack(management).resourceCountIs('AWS::Events::Rule', 0);
    const handlerPolicy = JSON.stringify(Template.fromStack(management).findResources('AWS::IAM::Policy'));
    expect(handlerPolicy).not.toContain('RejectEnvironmentAccountConnection');
    const infos = [environment, management].flatMap((stack) => Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp(`${KEY} is on`)));
    expect(infos).toHaveLength(1);
    expect(infos[0].entry.data).toBe(`${KEY} is on: after this deploy, the connections and acceptors of this app update and delete without calling AWS Proton, `
      + 'continuous acceptance has no schedule or event rule, and no new connection can be created. Deploy once, then destroy.');
  });

  test.each([[undefined], [false], ['false']])('off (%p): nothing changes', (value) => {
    const { environment, management } = stacks(value === undefined ? {} : { [KEY]: value });
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { continuousAcceptance: {} });
    new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'dev' });
    Template.fromStack(environment).hasResourceProperties('Custom::ProtonEnvironmentAccountConnection', { EndOfSupport: Match.absent() });
    Template.fromStack(management).resourceCountIs('AWS::Events::Rule', 2);
  });

  test('any other value is an error naming the key', () => {
    const { environment, management } = stacks({ [KEY]: 'yes' });
    expect(() => new EnvironmentAccountConnectionAcceptor(management, 'Acceptor')).toThrow('Mgmt/Acceptor: invalid context cdk-proton-account-connections:endOfSupport "yes": must be true or false');
    expect(environment).toBeDefined();
  });
});

test('replaceRejected reaches the handler only when set', () => {
  const { environment } = stacks();
  const role = new EnvironmentAccountProtonRole(environment, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['dev', 'qa'] });
  new EnvironmentAccountConnection(environment, 'Dev', { managementAccountId: MANAGEMENT, environmentName: 'dev', role, replaceRejected: true });
  new EnvironmentAccountConnection(environment, 'Qa', { managementAccountId: MANAGEMENT, environmentName: 'qa', role });
  Template.fromStack(environment).hasResourceProperties('Custom::ProtonEnvironmentAccountConnection', { EnvironmentName: 'dev', ReplaceRejected: true });
  Template.fromStack(environment).hasResourceProperties('Custom::ProtonEnvironmentAccountConnection', { EnvironmentName: 'qa', ReplaceRejected: Match.absent() });
});
