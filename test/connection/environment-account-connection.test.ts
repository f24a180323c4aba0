import { App, Aws, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EnvironmentAccountConnection, EnvironmentAccountConnectionProps, EnvironmentAccountProtonRole } from '../../src';
import { roleStatements } from '../support/handler-policy';
import { awsSolutionsFindings } from '../support/nag';

const MANAGEMENT = '111111111111';
const ENVIRONMENT = '222222222222';
const REGION = 'eu-west-1';

function stackWithRole(app = new App()) {
  const stack = new Stack(app, 'EnvironmentAccount', { env: { account: ENVIRONMENT, region: REGION } });
  const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['dev', 'prod'] });
  return { app, stack, role };
}

function connect(props: Partial<EnvironmentAccountConnectionProps> = {}, setup = stackWithRole()) {
  const connection = new EnvironmentAccountConnection(setup.stack, 'Connection', {
    managementAccountId: MANAGEMENT,
    environmentName: 'dev',
    role: setup.role,
    ...props,
  });
  return { ...setup, connection };
}

function policyStatements(template: Template, rolePrefix: string): any[] {
  return roleStatements(template, rolePrefix);
}

const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('custom resource', () => {
  test('passes the request\'s properties, and only those set', () => {
    const { stack } = connect();
    Template.fromStack(stack).hasResource('Custom::ProtonEnvironmentAccountConnection', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProtonEnvironmentAccountConnectionProviderHandler'), 'Arn'] },
        ManagementAccountId: MANAGEMENT,
        EnvironmentName: 'dev',
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProtonRole'), 'Arn'] },
      },
    });
    // ordered after the handler (ServiceToken), whose role holds its permissions inline (no policy resource); CloudFormation's default deletion policies are not spelled out
    const handler = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0] as any;
    expect(handler.DependsOn).toEqual([expect.stringMatching(/^ProtonEnvironmentAccountConnectionProviderRole/)]);
    expect(handler.Properties.Role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProtonEnvironmentAccountConnectionProviderRole/), 'Arn'] });
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::ProtonEnvironmentAccountConnection'))[0] as any;
    expect(Object.keys(resource.Properties).sort()).toEqual(['EnvironmentName', 'ManagementAccountId', 'RoleArn', 'ServiceToken']);
    expect(Object.keys(resource).sort()).toEqual(['Properties', 'Type']);
  });

  test('optional properties: companions from the role, tags, waiting, retain, adopt', () => {
    const setup = stackWithRole();
    const role = new EnvironmentAccountProtonRole(setup.stack, 'WithCompanions', {
      managementAccountId: MANAGEMENT,
      environmentNames: ['dev'],
      codeBuildRole: {},
      componentRole: {},
    });
    const { stack } = connect({
      role,
      tags: { team: 'platform' },
      waitForAcceptance: true,
      acceptanceTimeout: Duration.minutes(5),
      removalPolicy: RemovalPolicy.RETAIN,
      adoptExisting: true,
    }, setup);
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonEnvironmentAccountConnection', {
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WithCompanions'), 'Arn'] },
      CodebuildRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WithCompanionsCodeBuildRole'), 'Arn'] },
      ComponentRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WithCompanionsComponentRole'), 'Arn'] },
      Tags: { team: 'platform' },
      WaitForAcceptance: true,
      AcceptanceTimeoutSeconds: 300,
      AdoptExisting: true,
    });
    // RETAIN is CloudFormation's DeletionPolicy, the one retain mechanism (the handler is never asked to keep it)
    Template.fromStack(stack).hasResource('Custom::ProtonEnvironmentAccountConnection', {
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ RetainOnDelete: Match.absent() }),
    });
    Annotations.fromStack(stack).hasInfo('/EnvironmentAccount/Connection', Match.stringLikeRegexp('removalPolicy RETAIN'));
  });

  test('attributes: id (Ref), ARN and status (GetAtt)', () => {
    const { stack, connection } = connect();
    expect(stack.resolve(connection.connectionId)).toEqual({ Ref: expect.stringMatching(/^Connection/) });
    expect(stack.resolve(connection.connectionArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Connection/), 'Arn'] });
    expect(stack.resolve(connection.connectionStatus)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Connection/), 'Status'] });
  });
});

describe('handler', () => {
  test('one handler, role and log group per stack, however many connections', () => {
    const setup = stackWithRole();
    connect({}, setup);
    new EnvironmentAccountConnection(setup.stack, 'Prod', { managementAccountId: MANAGEMENT, environmentName: 'prod', role: setup.role });
    new EnvironmentAccountConnection(setup.stack, 'Other', { managementAccountId: '333333333333', environmentName: 'dev', role: iam.Role.fromRoleName(setup.stack, 'Imported', 'other') });
    const template = Template.fromStack(setup.stack);
    template.resourceCountIs('Custom::ProtonEnvironmentAccountConnection', 3);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 256,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ProtonEnvironmentAccountConnectionProviderLogs') } },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  test('exact IAM: own connections in this account and Region, List (no resource-level support), PassRole only for the passed roles, to Proton only', () => {
    const setup = stackWithRole();
    connect({}, setup);
    new EnvironmentAccountConnection(setup.stack, 'Prod', { managementAccountId: MANAGEMENT, environmentName: 'prod', role: setup.role });
    const template = Template.fromStack(setup.stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Description: Match.stringLikeRegexp('environment account connection'),
    });
    const statements = policyStatements(template, 'ProtonEnvironmentAccountConnectionProviderRole');
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ProtonEnvironmentAccountConnectionProviderLogs/), 'Arn'] } },
      {
        Sid: 'ManageOwnConnections',
        Effect: 'Allow',
        Action: [
          'proton:CreateEnvironmentAccountConnection',
          'proton:GetEnvironmentAccountConnection',
          'proton:UpdateEnvironmentAccountConnection',
          'proton:DeleteEnvironmentAccountConnection',
          'proton:TagResource',
          'proton:UntagResource',
          'proton:ListTagsForResource',
        ],
        Resource: arn(`:proton:${REGION}:${ENVIRONMENT}:environment-account-connection/*`),
      },
      { Sid: 'FindExistingConnection', Effect: 'Allow', Action: 'proton:ListEnvironmentAccountConnections', Resource: '*' },
      {
        Sid: 'PassRolesToProton',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ProtonRole/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'proton.amazonaws.com' } },
      },
    ]);
    const handlerRole = Object.values(template.findResources('AWS::IAM::Role')).find((r: any) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'lambda.amazonaws.com') as any;
    expect(handlerRole.Properties.ManagedPolicyArns).toBeUndefined();
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('proton:AcceptEnvironmentAccountConnection');
    expect(actions).not.toContain('proton:RejectEnvironmentAccountConnection');
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('companion roles are passable; nothing else is', () => {
    const setup = stackWithRole();
    const role = new EnvironmentAccountProtonRole(setup.stack, 'WithCompanions', {
      managementAccountId: MANAGEMENT, environmentNames: ['dev'], codeBuildRole: {}, componentRole: {},
    });
    connect({ role }, setup);
    const passRole = policyStatements(Template.fromStack(setup.stack), 'ProtonEnvironmentAccountConnectionProviderRole').find((s) => s.Sid === 'PassRolesToProton');
    expect(passRole.Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^WithCompanions[0-9A-F]+$/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^WithCompanionsCodeBuildRole/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^WithCompanionsComponentRole/), 'Arn'] },
    ]);
  });

  test('zero unacknowledged cdk-nag AwsSolutions findings', () => {
    const setup = stackWithRole();
    connect({ tags: { team: 'platform' } }, setup);
    expect(awsSolutionsFindings(setup.app)).toEqual([]);
  });
});

describe('validation', () => {
  test.each([
    [{ managementAccountId: 'abc' }, /EnvironmentAccount\/Connection: invalid managementAccountId "abc": must be a 12-digit AWS account id/],
    [{ managementAccountId: ENVIRONMENT }, /invalid managementAccountId "222222222222": is this stack's own account/],
    [{ environmentName: '_dev' }, /EnvironmentAccount\/Connection: invalid environmentName "_dev"/],
    [{ environmentName: 'staging' }, /invalid role "EnvironmentAccount\/ProtonRole": trusts environments \["dev","prod"\], not "staging"/],
    [{ managementAccountId: '333333333333' }, /invalid role "EnvironmentAccount\/ProtonRole": trusts management account 111111111111, but managementAccountId is 333333333333/],
    [{ tags: { 'aws:reserved': 'x' } }, /invalid tags .*reserved prefix "aws:"/],
    [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, /invalid tags .*at most 50 tags \(got 51\)/],
    [{ acceptanceTimeout: Duration.minutes(5) }, /invalid acceptanceTimeout "5 minutes": only applies with waitForAcceptance: true/],
    [{ waitForAcceptance: true, acceptanceTimeout: Duration.minutes(20) }, /invalid acceptanceTimeout "20 minutes": must be whole seconds from 1 second to 14 minutes/],
    [{ removalPolicy: RemovalPolicy.SNAPSHOT }, 'EnvironmentAccount/Connection: invalid removalPolicy "snapshot": must be RemovalPolicy.DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE (a connection has no snapshot)'],
    [{ managementAccountId: ENVIRONMENT }, `EnvironmentAccount/Connection: invalid managementAccountId "${ENVIRONMENT}": is this stack's own account: a connection links this environment account to a different management account`],
  ])('%j', (props, message) => {
    expect(() => connect(props as Partial<EnvironmentAccountConnectionProps>)).toThrow(message);
  });

  test('a literal role ARN that AWS Proton could not return (over 200 characters) is refused at synth', () => {
    const setup = stackWithRole();
    const long = iam.Role.fromRoleArn(setup.stack, 'Long', `arn:aws:iam::${ENVIRONMENT}:role/${'p/'.repeat(90)}proton`);
    expect(() => connect({ role: long }, setup)).toThrow(/invalid role "arn:aws:iam::222222222222:role\/p\/.*": must be 1 to 200 characters long \(AWS Proton returns this role ARN in a shape of at most 200\)/);
  });

  test('a role from another account is refused', () => {
    const setup = stackWithRole();
    const foreign = iam.Role.fromRoleArn(setup.stack, 'Foreign', 'arn:aws:iam::999999999999:role/proton');
    expect(() => connect({ role: foreign }, setup)).toThrow(/invalid role "arn:aws:iam::999999999999:role\/proton": is in account 999999999999, but AWS Proton needs it in the environment account \(this stack's account 222222222222\)/);
  });

  test('tokens are accepted at synth and left for the handler to check', () => {
    const setup = stackWithRole();
    const role = iam.Role.fromRoleArn(setup.stack, 'TokenRole', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/proton`);
    const managementAccountId = new CfnParameter(setup.stack, 'ManagementAccount').valueAsString;
    expect(() => connect({ managementAccountId, environmentName: Aws.STACK_NAME, role }, setup)).not.toThrow();
  });

  test.each([
    ['Aws.ACCOUNT_ID', () => Aws.ACCOUNT_ID, (app: App) => new Stack(app, 'EnvironmentAccount', { env: { account: ENVIRONMENT, region: REGION } })],
    ['stack.account of an environment-agnostic stack', (stack: Stack) => stack.account, (app: App) => new Stack(app, 'EnvironmentAccount')],
  ])('the stack\'s own account as a token (%s) is refused at synth: the trust would name this account itself', (_what, account, makeStack) => {
    const stack = makeStack(new App());
    const role = iam.Role.fromRoleArn(stack, 'Role', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/proton`);
    expect(() => new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: account(stack), environmentName: 'dev', role })).toThrow(
      'EnvironmentAccount/Connection: invalid managementAccountId "${AWS::AccountId}": is this stack\'s own account: a connection links this environment account to a different management account');
  });
});
