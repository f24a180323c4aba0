import { App, PropertyInjectors, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  EnvironmentAccountConnection,
  EnvironmentAccountConnectionAcceptor,
  HandlerOptions,
  HandlerOptionsInjection,
  ProtonEnvironmentLink,
} from '../../src';

const ENVIRONMENT_ACCOUNT = '222222222222';
const MANAGEMENT_ACCOUNT = '111111111111';
const REGION = 'us-east-1';

function environmentStack(app = new App()): Stack {
  return new Stack(app, 'Env', { env: { account: ENVIRONMENT_ACCOUNT, region: REGION } });
}

function managementStack(app = new App()): Stack {
  return new Stack(app, 'Mgmt', { env: { account: MANAGEMENT_ACCOUNT, region: REGION } });
}

function networkOf(stack: Stack) {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
  });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  return { vpc, key };
}

function connection(stack: Stack, id: string, environmentName: string, handlerOptions?: HandlerOptions): EnvironmentAccountConnection {
  const role = iam.Role.fromRoleName(stack, `${id}Role`, `proton-${environmentName}`);
  return new EnvironmentAccountConnection(stack, id, { managementAccountId: MANAGEMENT_ACCOUNT, environmentName, role, handlerOptions });
}

const SUBNET_ARN = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${REGION}:${ENVIRONMENT_ACCOUNT}:subnet/${id}`]] });
const INTERFACES_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${REGION}:${ENVIRONMENT_ACCOUNT}:network-interface/*`]] };

describe('hardened connection handler', () => {
  const stack = environmentStack();
  const { vpc, key } = networkOf(stack);
  connection(stack, 'Dev', 'dev', { vpc, logGroupEncryptionKey: key, reservedConcurrentExecutions: 2 });
  const template = Template.fromStack(stack);
  const securityGroup = Object.keys(template.findResources('AWS::EC2::SecurityGroup'))[0];
  const policy = Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('VpcAccess') } }))[0];

  test('the function runs in the selected subnets with its own security group, with reserved concurrency', () => {
    template.hasResource('AWS::Lambda::Function', {
      Properties: {
        VpcConfig: {
          SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
          SecurityGroupIds: [{ 'Fn::GetAtt': [securityGroup, 'GroupId'] }],
        },
        ReservedConcurrentExecutions: 2,
      },
      DependsOn: Match.arrayWith([policy]),
    });
  });

  test('the security group allows no inbound traffic and only HTTPS out', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.stringLikeRegexp('HTTPS') }],
      SecurityGroupIngress: Match.absent(),
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('network interface permissions are scoped to the subnets, the security group and this VPC; no managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('VpcAccess'),
      PolicyDocument: {
        Statement: [
          {
            Sid: 'CreateInterfacesInSelectedSubnets',
            Effect: 'Allow',
            Action: 'ec2:CreateNetworkInterface',
            Resource: [
              INTERFACES_ARN,
              SUBNET_ARN('subnet-0aaaaaaaaaaaaaaa1'),
              SUBNET_ARN('subnet-0bbbbbbbbbbbbbbb2'),
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${REGION}:${ENVIRONMENT_ACCOUNT}:security-group/`, { 'Fn::GetAtt': [securityGroup, 'GroupId'] }]] },
            ],
          },
          {
            Sid: 'ManageInterfacesInThisVpc',
            Effect: 'Allow',
            Action: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
            Resource: INTERFACES_ARN,
            Condition: { ArnEquals: { 'ec2:Vpc': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${REGION}:${ENVIRONMENT_ACCOUNT}:vpc/vpc-0123456789abcdef0`]] } } },
          },
          { Sid: 'DescribeInterfacesAndSubnets', Effect: 'Allow', Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], Resource: '*' },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    // no wildcard action anywhere in the handler's policies
    for (const resource of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const actions = (resource.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => s.Action);
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    }
  });

  test('the log group is encrypted with the key, keeps its retention, and the key lets CloudWatch Logs of this account and Region use it', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      RetentionInDays: 365,
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
          Effect: 'Allow',
          Principal: { Service: `logs.${REGION}.amazonaws.com` },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:${REGION}:${ENVIRONMENT_ACCOUNT}:log-group:*`]] },
            },
          },
        }]),
      },
    });
  });
});

describe('hardened acceptor handler', () => {
  test('given security groups and subnets are used as given, no security group is created', () => {
    const stack = managementStack();
    const { vpc, key } = networkOf(stack);
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', {
      expectedConnections: [{ environmentAccountId: ENVIRONMENT_ACCOUNT, environmentName: 'dev' }],
      handlerOptions: {
        vpc,
        vpcSubnets: { subnets: [vpc.privateSubnets[1]] },
        securityGroups: [group],
        logGroupEncryptionKey: key,
        reservedConcurrentExecutions: 3,
      },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0bbbbbbbbbbbbbbb2'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
      ReservedConcurrentExecutions: 3,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('VpcAccess'),
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'ec2:CreateNetworkInterface',
          Resource: [
            Match.anyValue(),
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${REGION}:${MANAGEMENT_ACCOUNT}:subnet/subnet-0bbbbbbbbbbbbbbb2`]] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${REGION}:${MANAGEMENT_ACCOUNT}:security-group/sg-0123456789abcdef0`]] },
          ],
        })]),
      },
    });
  });

  test('only a log group key: no VPC, no security group, no network interface permissions', () => {
    const stack = managementStack();
    const { key } = networkOf(stack);
    new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { trustedAccounts: [ENVIRONMENT_ACCOUNT], handlerOptions: { logGroupEncryptionKey: key } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent(), ReservedConcurrentExecutions: Match.absent() });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('VpcAccess') } }))).toEqual([]);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() });
  });
});

describe('default output is unchanged without handlerOptions', () => {
  test.each([
    ['connection', () => { const stack = environmentStack(); connection(stack, 'Dev', 'dev'); return stack; }],
    ['acceptor', () => {
      const stack = managementStack();
      new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { trustedAccounts: [ENVIRONMENT_ACCOUNT], continuousAcceptance: {} });
      return stack;
    }],
  ])('%s: no VPC, no KMS key, no reserved concurrency, no security group, no extra policy', (_name, build) => {
    const template = Template.fromStack(build());
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent(), ReservedConcurrentExecutions: Match.absent() });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.absent(), RetentionInDays: 365 });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    // the handler's permissions are inline in its role: no policy resource at all
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('one handler per stack: options must agree', () => {
  test('a second connection with different options fails synth naming the prop and the first construct', () => {
    const stack = environmentStack();
    const { vpc, key } = networkOf(stack);
    connection(stack, 'Dev', 'dev', { vpc, logGroupEncryptionKey: key });
    expect(() => connection(stack, 'Qa', 'qa', { vpc, logGroupEncryptionKey: key, reservedConcurrentExecutions: 2 }))
      .toThrow('Env/Qa: invalid handlerOptions: handlerOptions.reservedConcurrentExecutions differs from the handlerOptions of Env/Dev, which created this stack\'s shared connection handler.');
  });

  test('same options, or none, after the first are fine; a different subnet selection of the same subnets is the same', () => {
    const stack = environmentStack();
    const { vpc, key } = networkOf(stack);
    connection(stack, 'Dev', 'dev', { vpc, logGroupEncryptionKey: key });
    expect(() => connection(stack, 'Qa', 'qa', { vpc, logGroupEncryptionKey: key, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).not.toThrow();
    expect(() => connection(stack, 'Prod', 'prod')).not.toThrow();
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('options after a first construct without options fail: they could not take effect', () => {
    const stack = environmentStack();
    const { vpc } = networkOf(stack);
    connection(stack, 'Dev', 'dev');
    expect(() => connection(stack, 'Qa', 'qa', { vpc })).toThrow(/^Env\/Qa: invalid handlerOptions: handlerOptions\.vpc differs from the handlerOptions of Env\/Dev/);
  });

  test('a link and a connection in one stack share the handler and its options', () => {
    const app = new App();
    const management = managementStack(app);
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor');
    const stack = environmentStack(app);
    const { vpc } = networkOf(stack);
    new ProtonEnvironmentLink(stack, 'Dev', { acceptor, environmentName: 'dev', handlerOptions: { vpc } });
    expect(() => new ProtonEnvironmentLink(stack, 'Qa', { acceptor, environmentName: 'qa', handlerOptions: { vpc, reservedConcurrentExecutions: 1 } }))
      .toThrow(/^Env\/Qa: invalid handlerOptions: handlerOptions\.reservedConcurrentExecutions differs from the handlerOptions of Env\/Dev\/Connection/);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }) });
    // the acceptor's handler keeps its own (no) options
    Template.fromStack(management).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
  });

  test('two acceptors in one stack with different options fail', () => {
    const stack = managementStack();
    const { key } = networkOf(stack);
    new EnvironmentAccountConnectionAcceptor(stack, 'A', { trustedAccounts: [ENVIRONMENT_ACCOUNT], handlerOptions: { logGroupEncryptionKey: key } });
    expect(() => new EnvironmentAccountConnectionAcceptor(stack, 'B', { trustedAccounts: ['333333333333'], handlerOptions: { reservedConcurrentExecutions: 1 } }))
      .toThrow(/^Mgmt\/B: invalid handlerOptions: handlerOptions\.logGroupEncryptionKey differs from the handlerOptions of Mgmt\/A, which created this stack's shared acceptor handler/);
  });
});

describe('invalid options', () => {
  test.each<[string, (vpc: ec2.IVpc) => HandlerOptions, RegExp]>([
    ['vpcSubnets without vpc', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }), /^Env\/Dev: invalid handlerOptions\.vpcSubnets: only applies with handlerOptions\.vpc$/],
    ['securityGroups without vpc', () => ({ securityGroups: [] }), /invalid handlerOptions\.securityGroups: only applies with handlerOptions\.vpc/],
    ['empty securityGroups', (vpc) => ({ vpc, securityGroups: [] }), /invalid handlerOptions\.securityGroups: give at least one security group/],
    ['zero concurrency', () => ({ reservedConcurrentExecutions: 0 }), /invalid handlerOptions\.reservedConcurrentExecutions 0: must be a whole number of at least 1/],
    ['fractional concurrency', () => ({ reservedConcurrentExecutions: 1.5 }), /invalid handlerOptions\.reservedConcurrentExecutions 1\.5/],
  ])('%s', (_name, options, message) => {
    const stack = environmentStack();
    const { vpc } = networkOf(stack);
    expect(() => connection(stack, 'Dev', 'dev', options(vpc))).toThrow(message);
  });
});

describe('HandlerOptionsInjection', () => {
  test('an app-wide injector hardens every handler once, and explicit options win over it', () => {
    const app = new App();
    const calls: Array<{ stack: string; id: string; original: HandlerOptions }> = [];
    PropertyInjectors.of(app).add({
      constructUniqueId: HandlerOptionsInjection.PROPERTY_INJECTION_ID,
      inject: (original: HandlerOptions, context) => {
        calls.push({ stack: Stack.of(context.scope).stackName, id: context.id, original });
        return { reservedConcurrentExecutions: 5, ...original };
      },
    });
    const env = environmentStack(app);
    connection(env, 'Dev', 'dev', { reservedConcurrentExecutions: 1 });
    connection(env, 'Qa', 'qa');
    const management = managementStack(app);
    new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { trustedAccounts: [ENVIRONMENT_ACCOUNT] });
    expect(calls).toEqual([
      { stack: 'Env', id: 'ProtonEnvironmentAccountConnectionProvider', original: { reservedConcurrentExecutions: 1 } },
      { stack: 'Mgmt', id: 'ProtonConnectionAcceptorProvider', original: {} },
    ]);
    Template.fromStack(env).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1 });
    Template.fromStack(management).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5 });
  });

  test('injected options are validated like given ones', () => {
    const app = new App();
    PropertyInjectors.of(app).add({
      constructUniqueId: HandlerOptionsInjection.PROPERTY_INJECTION_ID,
      inject: () => ({ reservedConcurrentExecutions: -1 }),
    });
    expect(() => connection(environmentStack(app), 'Dev', 'dev')).toThrow(/^Env\/Dev: invalid handlerOptions\.reservedConcurrentExecutions -1/);
  });
});
