import { App, Aws, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { EnvironmentAccountConnectionAcceptor, EnvironmentAccountConnectionAcceptorProps } from '../../src';
import { roleStatements } from '../support/handler-policy';
import { awsSolutionsFindings } from '../support/nag';

const MANAGEMENT = '111111111111';
const REGION = 'eu-west-1';
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

function managementStack(app = new App()) {
  return new Stack(app, 'Management', { env: { account: MANAGEMENT, region: REGION } });
}

function acceptor(props: EnvironmentAccountConnectionAcceptorProps, stack = managementStack()) {
  return { stack, acceptor: new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', props) };
}

function handlerStatements(template: Template): any[] {
  return roleStatements(template, 'ProtonConnectionAcceptorProviderRole');
}

const EXPECTED = [
  { environmentAccountId: '222222222222', environmentName: 'dev' },
  { environmentAccountId: '222222222222', environmentName: 'prod' },
  { environmentAccountId: '333333333333', environmentName: 'dev' },
];

describe('acceptance resources', () => {
  test('one resource holds the pairs; connection ids come from its attributes', () => {
    const { stack, acceptor: a } = acceptor({ expectedConnections: EXPECTED });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::ProtonConnectionAcceptance', 1);
    template.hasResourceProperties('Custom::ProtonConnectionAcceptance', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProtonConnectionAcceptorProviderHandler'), 'Arn'] },
      Pairs: ['222222222222/dev', '222222222222/prod', '333333333333/dev'],
    });
    expect(stack.resolve(a.connectionId('222222222222', 'prod'))).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AcceptorAcceptance/), 'ConnectionId1'] });
    expect(() => a.connectionId('222222222222', 'qa')).toThrow(/invalid connectionId "222222222222\/qa": is not an expected connection of this acceptor/);
  });

  test('addExpectedConnection and account-wide entries; a non-default wait timeout', () => {
    const { stack, acceptor: a } = acceptor({ trustedAccounts: ['444444444444'], waitTimeout: Duration.minutes(3) });
    a.addExpectedConnection({ environmentAccountId: '222222222222', environmentName: 'dev' });
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonConnectionAcceptance', {
      Pairs: ['222222222222/dev'],
      Accounts: ['444444444444'],
      WaitTimeoutSeconds: 180,
    });
  });

  test('exact IAM: List (no resource-level support), Accept only on the allow-listed accounts\' connections, never Reject by default', () => {
    const { stack } = acceptor({ expectedConnections: EXPECTED });
    const template = Template.fromStack(stack);
    expect(handlerStatements(template)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] } },
      { Sid: 'FindRequests', Effect: 'Allow', Action: 'proton:ListEnvironmentAccountConnections', Resource: '*' },
      {
        Sid: 'AcceptAllowListedAccounts',
        Effect: 'Allow',
        Action: 'proton:AcceptEnvironmentAccountConnection',
        Resource: [
          arn(`:proton:${REGION}:222222222222:environment-account-connection/*`),
          arn(`:proton:${REGION}:333333333333:environment-account-connection/*`),
        ],
      },
    ]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/RejectEnvironmentAccountConnection|DeleteEnvironmentAccountConnection/);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test('one handler per stack for several acceptors', () => {
    const stack = managementStack();
    new EnvironmentAccountConnectionAcceptor(stack, 'A', { expectedConnections: [EXPECTED[0]] });
    new EnvironmentAccountConnectionAcceptor(stack, 'B', { expectedConnections: [EXPECTED[2]] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('Custom::ProtonConnectionAcceptance', 2);
  });

  test('zero unacknowledged cdk-nag AwsSolutions findings, continuous mode included', () => {
    const app = new App();
    acceptor({ expectedConnections: EXPECTED, trustedAccounts: ['444444444444'], continuousAcceptance: { rejectUnlisted: true } }, managementStack(app));
    expect(awsSolutionsFindings(app)).toEqual([]);
  });
});

describe('continuous acceptance', () => {
  test('a schedule and a Proton event rule invoke the handler with the stored allow-list\'s path', () => {
    const { stack, acceptor: a } = acceptor({ expectedConnections: EXPECTED, continuousAcceptance: { schedule: events.Schedule.rate(Duration.minutes(5)) } });
    const template = Template.fromStack(stack);
    const input = JSON.stringify({ sweep: { allowListPath: a.allowListParameterPath, rejectUnlisted: false } });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ Input: input })] });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.proton'], 'detail-type': ['AWS Proton Environment Account Connection Status Change'], 'detail': { status: ['PENDING'] } },
      Targets: [Match.objectLike({ Input: input })],
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Type: 'String',
      Name: `${a.allowListParameterPath}/0`,
      Value: JSON.stringify({ pairs: ['222222222222/dev', '222222222222/prod', '333333333333/dev'], accounts: [] }),
    });
    expect(handlerStatements(template)).toContainEqual({
      Effect: 'Allow',
      Action: 'ssm:GetParametersByPath',
      Resource: arn(`:ssm:${REGION}:${MANAGEMENT}:parameter${a.allowListParameterPath}`),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/RejectEnvironmentAccountConnection/);
  });

  test('rejectUnlisted: Reject on any account\'s connections in this Region, with a warning', () => {
    const { stack } = acceptor({ expectedConnections: EXPECTED, continuousAcceptance: { onProtonEvents: false, rejectUnlisted: true } });
    const template = Template.fromStack(stack);
    expect(handlerStatements(template)).toContainEqual({
      Sid: 'RejectUnlisted',
      Effect: 'Allow',
      Action: 'proton:RejectEnvironmentAccountConnection',
      Resource: arn(`:proton:${REGION}:*:environment-account-connection/*`),
    });
    template.resourceCountIs('AWS::Events::Rule', 1);
    Annotations.fromStack(stack).hasWarning('/Management/Acceptor', Match.stringLikeRegexp('rejectUnlisted is on'));
  });
});

describe('validation', () => {
  test.each([
    [{ expectedConnections: [{ environmentAccountId: '2222', environmentName: 'dev' }] }, /Management\/Acceptor: invalid expectedConnections.environmentAccountId "2222"/],
    [{ expectedConnections: [{ environmentAccountId: '222222222222', environmentName: 'dev/x' }] }, /invalid expectedConnections.environmentName "dev\/x"/],
    [{ expectedConnections: [EXPECTED[0], EXPECTED[0]] },
      'Management/Acceptor: invalid expectedConnections.environmentName "dev": the connection of account 222222222222 for this environment is already expected by Management/Acceptor (added by Management/Acceptor): one request per environment'],
    [{ trustedAccounts: ['abc'] }, /invalid trustedAccounts "abc"/],
    [{ expectedConnections: [{ environmentAccountId: Aws.ACCOUNT_ID, environmentName: 'dev' }] },
      'Management/Acceptor: invalid expectedConnections.environmentAccountId "${AWS::AccountId}": is this stack\'s own account: the management account accepts requests of other (environment) accounts'],
    [{ trustedAccounts: [MANAGEMENT] }, `Management/Acceptor: invalid trustedAccounts "${MANAGEMENT}": is this stack's own account`],
    [{ expectedConnections: EXPECTED, waitTimeout: Duration.minutes(15) }, /invalid waitTimeout "15 minutes": must be whole seconds from 0 to 14 minutes/],
  ])('%j', (props, message) => {
    expect(() => acceptor(props as EnvironmentAccountConnectionAcceptorProps)).toThrow(message);
  });

  test('an acceptor that expects nothing fails synth', () => {
    const { stack } = acceptor({});
    expect(() => Template.fromStack(stack)).toThrow(/Management\/Acceptor: expects no connection/);
  });
});

describe('scale: 1,000 allow-listed pairs in one stack', () => {
  function inlinePolicyChars(template: any, account: string, region: string): number {
    // IAM counts the policy as deployed: resolve the partition and pseudo parameters the way CloudFormation would
    const entries = Object.entries<any>(template.Resources);
    const documents = [
      ...entries.filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('ProtonConnectionAcceptorProviderRole')).flatMap(([, r]) => (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)),
      ...entries.filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles[0].Ref.startsWith('ProtonConnectionAcceptorProviderRole')).map(([, r]) => r.Properties.PolicyDocument),
    ];
    const resolve = (value: any): any => {
      if (Array.isArray(value)) return value.map(resolve);
      if (value && typeof value === 'object') {
        if ('Fn::Join' in value) return value['Fn::Join'][1].map(resolve).join(value['Fn::Join'][0]);
        if ('Ref' in value) return ({ 'AWS::Partition': 'aws', 'AWS::Region': region, 'AWS::AccountId': account } as any)[value.Ref] ?? `${value.Ref}-physical-id-of-about-sixty-characters-000000000000`;
        if ('Fn::GetAtt' in value) return `arn:aws:logs:${region}:${account}:log-group:${value['Fn::GetAtt'][0]}-about-sixty-characters-000000000:*`;
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
      }
      return value;
    };
    return documents.reduce((sum, document) => sum + JSON.stringify(resolve(document)).replace(/\s/g, '').length, 0);
  }

  test('1,000 pairs from 1,000 accounts: the handler role\'s policy stays within IAM\'s 10,240 characters', () => {
    const stack = managementStack();
    const a = new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { continuousAcceptance: { rejectUnlisted: true } });
    for (let i = 0; i < 1000; i++) a.addExpectedConnection({ environmentAccountId: String(200000000000 + i), environmentName: 'dev' });
    const template = Template.fromStack(stack);
    expect(inlinePolicyChars(template.toJSON(), MANAGEMENT, REGION)).toBeLessThan(10_240);
    expect(handlerStatements(template)).toContainEqual({
      Sid: 'AcceptAllowListedAccounts', Effect: 'Allow', Action: 'proton:AcceptEnvironmentAccountConnection', Resource: [arn(`:proton:${REGION}:*:environment-account-connection/*`)],
    });
    Annotations.fromStack(stack).hasWarning('/Management/ProtonConnectionAcceptorProvider', Match.stringLikeRegexp('More than 50 environment accounts'));
  });

  test('up to 50 accounts are listed one by one', () => {
    const stack = managementStack();
    const a = new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor');
    for (let i = 0; i < 50; i++) a.addExpectedConnection({ environmentAccountId: String(200000000000 + i), environmentName: 'dev' });
    const accept = handlerStatements(Template.fromStack(stack)).find((s) => s.Sid === 'AcceptAllowListedAccounts');
    expect(accept.Resource).toHaveLength(50);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('More than 50'))).toHaveLength(0);
  });

  test.each([false, true])('continuous %s: within CloudFormation\'s 500 resources and 1 MB', (continuous) => {
    const stack = managementStack();
    const a = new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { continuousAcceptance: continuous ? {} : undefined });
    for (let i = 0; i < 1000; i++) {
      a.addExpectedConnection({ environmentAccountId: String(200000000000 + Math.floor(i / 10)), environmentName: `environment-${String(i).padStart(4, '0')}` });
    }
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.keys(template.Resources).length;
    const bytes = Buffer.byteLength(JSON.stringify(template));
    expect(Object.values(template.Resources).filter((r: any) => r.Type === 'Custom::ProtonConnectionAcceptance')).toHaveLength(20);
    expect(resources).toBeLessThan(500);
    expect(bytes).toBeLessThan(1_000_000);
    // the figures quoted in the README
    expect(resources).toBe(continuous ? 47 : 23);
    expect(bytes).toBeLessThan(continuous ? 90_000 : 45_000);
    process.stdout.write(`1,000 pairs (continuous ${continuous}): ${resources} resources, ${bytes} bytes\n`);
    expect(stack.resolve(a.connectionId('200000000099', 'environment-0999'))).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AcceptorAcceptance19/), 'ConnectionId49'] });
  });
});
