import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, IPropertyInjector, InjectionContext, PropertyInjectors, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { REPO_ROOT } from './cfn-lint';
import { buildMultiEnvironmentApp } from '../../examples/multi-environment-app/multi-environment-app';
import { PLATFORM } from '../../examples/multi-environment-app/platform-config';
import { buildOrganizationApp } from '../../examples/organization-app/organization-app';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';
import {
  EnvironmentAccountConnection,
  EnvironmentAccountConnectionAcceptor,
  EnvironmentAccountProtonRole,
  EnvironmentNaming,
  HandlerOptions,
  HandlerOptionsInjection,
  OrganizationReadAccess,
  ProtonEnvironmentLink,
  ProvisioningPermissions,
} from '../../src';

/**
 * The apps whose templates cfn-lint checks: every example app (as the tests build it, and as
 * `npx cdk synth` builds it from cdk.json), and test apps that together use every construct and
 * every option that changes a template.
 */
export interface LintApp {
  /** Names the app's templates in the report (`<name>/<stack>`). */
  readonly name: string;
  /** Adds the app's stacks to `app`. */
  readonly build: (app: App) => void;
  /** Context of the app (feature flags, the example's context, the end-of-support switch). */
  readonly context?: Record<string, unknown>;
}

const MANAGEMENT = '111111111111';
const ENVIRONMENT = '222222222222';
const REGION = 'us-east-1';
const END_OF_SUPPORT = 'cdk-proton-account-connections:endOfSupport';

/** The context `npx cdk synth` gives the example app: cdk.json's feature flags, path metadata and the CDK metadata resource. */
function cdkCliContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf-8'));
  return { ...cdkJson.context, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true };
}

function environmentStack(app: App, id: string, accountId = ENVIRONMENT, region = REGION): Stack {
  return new Stack(app, id, { env: { account: accountId, region } });
}

function managementStack(app: App, id: string, region = REGION): Stack {
  return new Stack(app, id, { env: { account: MANAGEMENT, region } });
}

/** An environment account id that is not the management account's. */
function account(index: number): string {
  return String(300_000_000_000 + index);
}

/** The Control Tower landing zone's network and the organization's key, as the README's hardened example has them. */
function importedNetwork(stack: Stack) {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: [`${stack.region}a`, `${stack.region}b`],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  });
}

/** Every kind of provisioning permissions, the companions and every role option. */
function protonRoles(app: App): void {
  const stack = environmentStack(app, 'ProtonRoles');
  const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
    statements: [new iam.PolicyStatement({ actions: ['ec2:*', 'ecs:*', 'logs:*', 'iam:*'], resources: ['*'] })],
  });
  new EnvironmentAccountProtonRole(stack, 'FromServices', {
    managementAccountId: MANAGEMENT,
    environmentNames: ['dev', 'qa'],
    provisioningPermissions: [ProvisioningPermissions.fromServices('ec2', 'ecs', 'logs')],
  });
  const fromActions = new EnvironmentAccountProtonRole(stack, 'FromActions', {
    managementAccountId: MANAGEMENT,
    environmentNames: ['staging'],
    provisioningPermissions: [ProvisioningPermissions.fromActions('sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:GetQueueAttributes')],
    roleName: 'proton-staging',
    description: 'Proton provisioning role of the staging environment',
  });
  fromActions.addProvisioningPermissions(ProvisioningPermissions.fromActions('sns:CreateTopic', 'sns:DeleteTopic'));
  new EnvironmentAccountProtonRole(stack, 'FromStatements', {
    managementAccountId: MANAGEMENT,
    environmentNames: ['data'],
    provisioningPermissions: [ProvisioningPermissions.fromStatements(
      new iam.PolicyStatement({ actions: ['s3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketPolicy'], resources: ['arn:aws:s3:::data-*'] }),
      new iam.PolicyStatement({
        actions: ['dynamodb:CreateTable', 'dynamodb:DeleteTable'],
        resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: 'data-*' })],
        conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
      }),
    )],
  });
  new EnvironmentAccountProtonRole(stack, 'BroadDefault', {
    managementAccountId: MANAGEMENT,
    trustAllEnvironments: true,
    provisioningPermissions: [ProvisioningPermissions.allServicesExceptOrganizationsAndAccount()],
    permissionsBoundary: boundary,
  });
  new EnvironmentAccountProtonRole(stack, 'WithCompanions', {
    managementAccountId: MANAGEMENT,
    environmentNames: ['prod'],
    provisioningPermissions: [ProvisioningPermissions.fromServices('ecs', 'iam')],
    permissionsBoundary: boundary,
    codeBuildRole: { roleName: 'proton-prod-codebuild', assumeCdkBootstrapRoles: true, cdkBootstrapQualifier: 'platform' },
    componentRole: { roleName: 'proton-prod-components', provisioningPermissions: [ProvisioningPermissions.fromActions('lambda:CreateFunction', 'lambda:DeleteFunction')] },
  });
  new EnvironmentAccountProtonRole(stack, 'DefaultCompanions', {
    managementAccountId: MANAGEMENT,
    environmentNames: ['sandbox'],
    codeBuildRole: {},
    componentRole: {},
  });
}

/** Connections with every option: companions, imported roles, RETAIN, tags, waiting, adoption, replacement, handler environment. */
function connections(app: App): void {
  const stack = environmentStack(app, 'Connections');
  const handlerOptions: HandlerOptions = { environment: { AWS_ENDPOINT_URL_PROTON: 'https://proton.example.internal' } };
  const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', {
    managementAccountId: MANAGEMENT,
    environmentNames: ['dev', 'qa', 'prod', 'perf'],
    provisioningPermissions: [ProvisioningPermissions.fromActions('ecs:CreateCluster', 'ecs:DeleteCluster')],
    codeBuildRole: { assumeCdkBootstrapRoles: true },
    componentRole: {},
  });
  new EnvironmentAccountConnection(stack, 'Dev', {
    managementAccountId: MANAGEMENT, environmentName: 'dev', role, tags: { 'team': 'platform', 'cost-center': '42' }, handlerOptions,
  });
  new EnvironmentAccountConnection(stack, 'Qa', {
    managementAccountId: MANAGEMENT, environmentName: 'qa', role, removalPolicy: RemovalPolicy.RETAIN, replaceRejected: true, adoptExisting: true,
  });
  // waiting for an acceptor of another app (which this app cannot see): allowed
  new EnvironmentAccountConnection(stack, 'Prod', {
    managementAccountId: MANAGEMENT, environmentName: 'prod', role, waitForAcceptance: true, acceptanceTimeout: Duration.minutes(12),
  });
  const perf = new EnvironmentAccountConnection(stack, 'Perf', { managementAccountId: MANAGEMENT, environmentName: 'perf', role });
  perf.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
  // roles made elsewhere, named explicitly
  new EnvironmentAccountConnection(stack, 'Imported', {
    managementAccountId: '999999999999',
    environmentName: 'legacy',
    role: iam.Role.fromRoleName(stack, 'LegacyRole', 'proton-legacy'),
    codeBuildRole: iam.Role.fromRoleArn(stack, 'LegacyCodeBuild', `arn:aws:iam::${ENVIRONMENT}:role/proton-legacy-codebuild`),
    componentRole: iam.Role.fromRoleName(stack, 'LegacyComponents', 'proton-legacy-components'),
  });
  EnvironmentAccountConnection.fromConnectionAttributes(stack, 'Existing', { connectionId: '0f0e0d0c-0000-4000-8000-000000000000' });
  Tags.of(stack).add('owner', 'platform-team');
}

/** Acceptors: listed pairs, more than 50 pairs (chunked) from more than 50 accounts, account-wide entries, continuous modes. */
function acceptors(app: App): void {
  const listed = managementStack(app, 'AcceptorListed');
  const small = new EnvironmentAccountConnectionAcceptor(listed, 'Acceptor', {
    expectedConnections: [{ environmentAccountId: ENVIRONMENT, environmentName: 'dev' }, { environmentAccountId: ENVIRONMENT, environmentName: 'qa' }],
    trustedAccounts: ['333333333333'],
    waitTimeout: Duration.minutes(3),
  });
  small.addExpectedConnection({ environmentAccountId: '444444444444', environmentName: 'prod' });
  small.addTrustedAccount('555555555555');

  const many = managementStack(app, 'AcceptorChunked');
  const chunked = new EnvironmentAccountConnectionAcceptor(many, 'Acceptor', { waitTimeout: Duration.seconds(0) });
  for (let i = 0; i < 60; i++) {
    chunked.addExpectedConnection({ environmentAccountId: account(i), environmentName: 'dev' });
    chunked.addExpectedConnection({ environmentAccountId: account(i), environmentName: 'prod' });
  }
  // a second acceptor of the same stack shares its handler
  new EnvironmentAccountConnectionAcceptor(many, 'AccountWide', { trustedAccounts: Array.from({ length: 20 }, (_, i) => account(100 + i)) });

  const continuous = managementStack(app, 'AcceptorContinuous');
  new EnvironmentAccountConnectionAcceptor(continuous, 'Acceptor', {
    expectedConnections: [
      { environmentAccountId: ENVIRONMENT, environmentName: 'dev' },
      { environmentAccountId: ENVIRONMENT, environmentName: 'late', waitAtDeploy: false },
    ],
    trustedAccounts: ['333333333333'],
    continuousAcceptance: {},
  });
  const continuousChunked = new EnvironmentAccountConnectionAcceptor(continuous, 'Chunked', {
    continuousAcceptance: { schedule: events.Schedule.cron({ minute: '0/30' }), onProtonEvents: false },
  });
  for (let i = 0; i < 55; i++) continuousChunked.addExpectedConnection({ environmentAccountId: account(200 + i), environmentName: 'qa', waitAtDeploy: i % 2 === 0 });

  const rejecting = managementStack(app, 'AcceptorRejectUnlisted');
  new EnvironmentAccountConnectionAcceptor(rejecting, 'Acceptor', {
    expectedConnections: [{ environmentAccountId: ENVIRONMENT, environmentName: 'dev' }],
    continuousAcceptance: { rejectUnlisted: true, schedule: events.Schedule.rate(Duration.hours(1)) },
  });
}

/** Links: the usual order, waiting for acceptance (management first), a link with its own role, and every link option. */
function links(app: App): void {
  const management = managementStack(app, 'LinkManagement');
  const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { continuousAcceptance: {} });

  const usual = environmentStack(app, 'LinkUsualOrder');
  new ProtonEnvironmentLink(usual, 'Dev', {
    acceptor,
    environmentName: 'dev',
    provisioningPermissions: [ProvisioningPermissions.fromServices('ecs', 'logs')],
    roleName: 'proton-dev',
    codeBuildRole: { assumeCdkBootstrapRoles: true },
    componentRole: { provisioningPermissions: [ProvisioningPermissions.fromActions('sqs:CreateQueue')] },
    tags: { environment: 'dev' },
    removalPolicy: RemovalPolicy.RETAIN,
    replaceRejected: true,
    adoptExisting: true,
  });
  const ownRole = new EnvironmentAccountProtonRole(usual, 'SharedRole', { managementAccountId: MANAGEMENT, environmentNames: ['qa'] });
  new ProtonEnvironmentLink(usual, 'Qa', { acceptor, environmentName: 'qa', role: ownRole });

  const waiting = environmentStack(app, 'LinkWaiting', '333333333333');
  new ProtonEnvironmentLink(waiting, 'Prod', {
    acceptor,
    environmentName: 'prod',
    provisioningPermissions: [ProvisioningPermissions.fromActions('ecs:CreateService', 'ecs:DeleteService')],
    waitForAcceptance: true,
    acceptanceTimeout: Duration.minutes(10),
  });
}

/** Hardened handlers, given per construct: imported VPC, a key made in the stack, reserved concurrency, own security groups. */
function hardenedHandlers(app: App): void {
  const management = managementStack(app, 'HardenedManagement');
  const managementKey = new kms.Key(management, 'LogsKey', { enableKeyRotation: true });
  const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', {
    continuousAcceptance: { rejectUnlisted: true },
    handlerOptions: { vpc: importedNetwork(management), logGroupEncryptionKey: managementKey, reservedConcurrentExecutions: 1 },
  });

  const workloads = environmentStack(app, 'HardenedWorkloads');
  const vpc = importedNetwork(workloads);
  const handlerOptions: HandlerOptions = {
    vpc,
    vpcSubnets: { subnets: [vpc.privateSubnets[0]] },
    securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(workloads, 'HandlerSecurityGroup', 'sg-0123456789abcdef0')],
    logGroupEncryptionKey: kms.Key.fromKeyArn(workloads, 'LogsKey', `arn:aws:kms:${REGION}:${ENVIRONMENT}:key/0f0e0d0c-0000-4000-8000-000000000000`),
    reservedConcurrentExecutions: 2,
    environment: { AWS_ENDPOINT_URL_PROTON: 'https://proton.example.internal' },
  };
  new ProtonEnvironmentLink(workloads, 'Dev', {
    acceptor,
    environmentName: 'dev',
    provisioningPermissions: [ProvisioningPermissions.fromActions('ecs:CreateCluster', 'ecs:DeleteCluster')],
    handlerOptions,
  });
  new ProtonEnvironmentLink(workloads, 'Qa', { acceptor, environmentName: 'qa', handlerOptions });
}

/** The organization's handler options for every stack of an app, through the library's property injector. */
class OrganizationHandlerOptions implements IPropertyInjector {
  public readonly constructUniqueId = HandlerOptionsInjection.PROPERTY_INJECTION_ID;

  public inject(originalProps: HandlerOptions, context: InjectionContext): HandlerOptions {
    const stack = Stack.of(context.scope);
    const key = new kms.Key(stack, 'HandlerLogsKey', { enableKeyRotation: true, description: 'Encrypts the Proton connection handlers\' log groups' });
    return { vpc: importedNetwork(stack), logGroupEncryptionKey: key, reservedConcurrentExecutions: 2, ...originalProps };
  }
}

/** Hardened through `PropertyInjectors.of(app)`: the two-account example, unchanged. */
function injectedHardening(app: App): void {
  PropertyInjectors.of(app).add(new OrganizationHandlerOptions());
  buildTwoAccountApp(app);
}

/** After end of support: every construct with the switch on (no Proton calls, no continuous-acceptance rules). */
/** Organization scale: OU trust on the management side, the delegation policy, an environment-agnostic environment side. */
function organizationScale(app: App): void {
  const naming = EnvironmentNaming.accountIdWithPrefix('platform');
  new EnvironmentAccountConnectionAcceptor(managementStack(app, 'OuTrustingManagement'), 'Acceptor', {
    continuousAcceptance: {},
    trustedOrganizationalUnits: [{ organizationalUnitIds: ['ou-ab12-workloads', 'r-ab12'], environmentNaming: naming }],
    trustedAccounts: [account(1)],
  });
  new OrganizationReadAccess(new Stack(app, 'OrganizationAccess', { env: { account: '999999999999', region: REGION } }), 'ReadAccess', {
    readerAccountIds: [MANAGEMENT],
  });
  const agnostic = new Stack(app, 'EnvironmentInEveryAccount');
  const name = naming.environmentNameOfDeployingAccount();
  new EnvironmentAccountConnection(agnostic, 'Request', {
    managementAccountId: MANAGEMENT,
    environmentName: name,
    role: new EnvironmentAccountProtonRole(agnostic, 'Role', { managementAccountId: MANAGEMENT, environmentNames: [name] }),
  });
}

function endOfSupport(app: App): void {
  const management = managementStack(app, 'EndOfSupportManagement');
  const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', {
    trustedAccounts: ['333333333333'],
    continuousAcceptance: { rejectUnlisted: true },
  });
  const workloads = environmentStack(app, 'EndOfSupportWorkloads');
  new ProtonEnvironmentLink(workloads, 'Dev', { acceptor, environmentName: 'dev', removalPolicy: RemovalPolicy.RETAIN });
  const role = new EnvironmentAccountProtonRole(workloads, 'OtherRole', { managementAccountId: '999999999999', environmentNames: ['other'], codeBuildRole: {} });
  new EnvironmentAccountConnection(workloads, 'Other', { managementAccountId: '999999999999', environmentName: 'other', role, tags: { team: 'platform' } });
}

export const LINT_APPS: LintApp[] = [
  { name: 'two-account-app', build: (app) => { buildTwoAccountApp(app); } },
  {
    name: 'two-account-app-cdk-cli',
    build: (app) => { buildTwoAccountApp(app); },
    context: { ...cdkCliContext(), environmentAccount: '210987654321', managementAccount: '123456789012', region: 'eu-west-1', environmentName: 'prod', protonRoleName: 'proton-prod' },
  },
  { name: 'multi-environment-app', build: (app) => { buildMultiEnvironmentApp(app, PLATFORM); } },
  { name: 'multi-environment-app-cdk-cli', build: (app) => { buildMultiEnvironmentApp(app, PLATFORM); }, context: cdkCliContext() },
  { name: 'proton-roles', build: protonRoles },
  { name: 'connections', build: connections },
  { name: 'acceptors', build: acceptors },
  { name: 'links', build: links },
  { name: 'hardened-handlers', build: hardenedHandlers },
  { name: 'hardened-by-injector', build: injectedHardening },
  { name: 'organization-scale', build: organizationScale },
  { name: 'organization-example', build: buildOrganizationApp },
  { name: 'end-of-support', build: endOfSupport, context: { [END_OF_SUPPORT]: true } },
  { name: 'end-of-support-cdk-cli', build: (app) => { buildMultiEnvironmentApp(app, PLATFORM); }, context: { ...cdkCliContext(), [END_OF_SUPPORT]: 'true' } },
];
