import { ArnFormat, PropertyInjectors, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { HandlerOptions, HandlerOptionsInjection } from './handler-options';
import { acknowledgeWildcard, acknowledgeWildcardResource } from '../shared/nag-acknowledgements';

const PROP = 'handlerOptions';

/** Environment variables Lambda sets itself and refuses in a function's configuration. */
const LAMBDA_RESERVED_VARIABLES = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

/** The options a per-stack provider is created with, and who asked for them. */
export interface HandlerOptionsRecord {
  /** The options the first construct of the stack gave (before any injector). */
  readonly requested?: HandlerOptions;
  /** The options in force: `requested`, through a registered property injector. */
  readonly effective: HandlerOptions;
  /** Construct path of the first construct, for error messages. */
  readonly requestedBy: string;
}

/**
 * Resolves the options a provider is created with: those of the construct that creates it,
 * passed through the nearest `HandlerOptionsInjection` property injector (the stack's, then its
 * stages' and the app's), which is called once per provider.
 */
export function resolveHandlerOptions(provider: Construct, requested: HandlerOptions | undefined, requestedBy: string): HandlerOptionsRecord {
  const stack = Stack.of(provider);
  let effective: HandlerOptions = { ...requested };
  for (let scope: IConstruct | undefined = stack; scope; scope = scope.node.scope) {
    if (!PropertyInjectors.hasPropertyInjectors(scope)) continue;
    const injector = PropertyInjectors.of(scope).for(HandlerOptionsInjection.PROPERTY_INJECTION_ID);
    if (!injector) continue;
    effective = injector.inject({ ...requested }, { scope: stack, id: provider.node.id }) ?? {};
    break;
  }
  checkHandlerOptions(requestedBy, effective);
  return { requested, effective, requestedBy };
}

/**
 * A construct that finds its stack's provider already created accepts it when it gives no
 * options or the same ones; different options could not take effect, so they fail synthesis.
 */
export function checkSameHandlerOptions(constructPath: string, handlerName: string, record: HandlerOptionsRecord,
  requested: HandlerOptions | undefined): void {
  if (requested === undefined) return;
  const difference = firstDifference(record.requested ?? {}, requested);
  if (difference === undefined) return;
  throw new Error(`${constructPath}: invalid ${PROP}: ${PROP}.${difference} differs from the ${PROP} of ${record.requestedBy}, `
    + `which created this stack's shared ${handlerName}. Every construct of a stack that shares the handler must give the same ${PROP} (the same objects), or none.`);
}

function checkHandlerOptions(path: string, options: HandlerOptions): void {
  if (!options.vpc) {
    for (const key of ['vpcSubnets', 'securityGroups'] as const) {
      if (options[key] !== undefined) throw new Error(`${path}: invalid ${PROP}.${key}: only applies with ${PROP}.vpc`);
    }
  }
  if (options.securityGroups !== undefined && options.securityGroups.length === 0) {
    throw new Error(`${path}: invalid ${PROP}.securityGroups: give at least one security group, or leave it out to get one that allows only HTTPS out`);
  }
  for (const key of Object.keys(options.environment ?? {})) {
    if (LAMBDA_RESERVED_VARIABLES.has(key)) {
      throw new Error(`${path}: invalid ${PROP}.environment key ${JSON.stringify(key)}: Lambda reserves it (and sets it itself)`);
    }
  }
  const concurrency = options.reservedConcurrentExecutions;
  if (concurrency !== undefined && !Token.isUnresolved(concurrency) && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new Error(`${path}: invalid ${PROP}.reservedConcurrentExecutions ${concurrency}: must be a whole number of at least 1 (0 would stop the handler)`);
  }
}

/** The name of the first option that differs, or `undefined` when both ask for the same. */
function firstDifference(a: HandlerOptions, b: HandlerOptions): string | undefined {
  if (a.vpc !== b.vpc) return 'vpc';
  if (!sameSubnets(a, b)) return 'vpcSubnets';
  if (!sameList(a.securityGroups, b.securityGroups)) return 'securityGroups';
  if (a.logGroupEncryptionKey !== b.logGroupEncryptionKey) return 'logGroupEncryptionKey';
  if (a.reservedConcurrentExecutions !== b.reservedConcurrentExecutions) return 'reservedConcurrentExecutions';
  if (JSON.stringify(a.environment ?? {}) !== JSON.stringify(b.environment ?? {})) return 'environment';
  return undefined;
}

function sameList<T>(a: T[] | undefined, b: T[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Two selections are the same when they select the same subnets. */
function sameSubnets(a: HandlerOptions, b: HandlerOptions): boolean {
  if (a.vpcSubnets === b.vpcSubnets) return true;
  if (!a.vpc || a.vpc !== b.vpc) return false;
  const stack = Stack.of(a.vpc);
  const ids = (selection?: ec2.SubnetSelection) => JSON.stringify(stack.resolve(a.vpc!.selectSubnets(selection).subnetIds));
  return ids(a.vpcSubnets) === ids(b.vpcSubnets);
}

/** What a hardened handler needs besides its own props. */
export interface HardenedHandler {
  /** Props for the handler function. */
  readonly functionProps: Pick<lambda.FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups' | 'reservedConcurrentExecutions' | 'environment'>;
  /** Props for the handler's log group. */
  readonly logGroupProps: Pick<logs.LogGroupProps, 'encryptionKey'>;
  /** Resources the function must be created after (the network interface permissions). */
  readonly dependencies: IConstruct[];
}

/**
 * Applies `options` to a provider (`scope`) whose handler runs as `role`: the security group and
 * network interface permissions for a VPC, the key policy statement for an encrypted log group.
 * With no options it creates nothing and returns empty props (the default template is unchanged).
 */
export function hardenHandler(scope: Construct, role: iam.IRole, options: HandlerOptions, purpose: string): HardenedHandler {
  const dependencies: IConstruct[] = [];
  let securityGroups = options.securityGroups;
  if (options.vpc) {
    securityGroups ??= [httpsOnlySecurityGroup(scope, options.vpc, purpose)];
    dependencies.push(networkInterfacePolicy(scope, role, options.vpc, options.vpcSubnets, securityGroups));
  }
  if (options.logGroupEncryptionKey) allowLogGroupEncryption(scope, options.logGroupEncryptionKey);
  return {
    functionProps: {
      vpc: options.vpc,
      vpcSubnets: options.vpc ? options.vpcSubnets : undefined,
      securityGroups: options.vpc ? securityGroups : undefined,
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      environment: options.environment && Object.keys(options.environment).length > 0 ? { ...options.environment } : undefined,
    },
    logGroupProps: { encryptionKey: options.logGroupEncryptionKey },
    dependencies,
  };
}

/** No inbound traffic; HTTPS out, to the AWS APIs through a NAT gateway or interface endpoints. */
function httpsOnlySecurityGroup(scope: Construct, vpc: ec2.IVpc, purpose: string): ec2.ISecurityGroup {
  const group = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `${purpose}: no inbound traffic, HTTPS out to the AWS APIs`,
    allowAllOutbound: false,
  });
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the AWS Proton and AWS Systems Manager APIs (NAT gateway or interface endpoints)');
  return group;
}

/**
 * The network interface permissions Lambda needs to attach the handler to the VPC (what the
 * `AWSLambdaVPCAccessExecutionRole` managed policy grants on `*`), scoped as far as EC2 allows:
 * create only in the selected subnets with the given security groups, delete and (un)assign
 * addresses only on interfaces in this VPC; the two Describe actions support no resource scoping.
 */
function networkInterfacePolicy(scope: Construct, role: iam.IRole, vpc: ec2.IVpc, vpcSubnets: ec2.SubnetSelection | undefined,
  securityGroups: ec2.ISecurityGroup[]): iam.Policy {
  const stack = Stack.of(scope);
  const ec2Arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ec2', resource, resourceName });
  const interfaces = ec2Arn('network-interface', '*');
  const subnets = vpc.selectSubnets(vpcSubnets).subnetIds.map((id) => ec2Arn('subnet', id));
  const groups = securityGroups.map((group) => ec2Arn('security-group', group.securityGroupId));
  const policy = new iam.Policy(scope, 'VpcAccess', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'CreateInterfacesInSelectedSubnets',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [interfaces, ...subnets, ...groups],
      }),
      new iam.PolicyStatement({
        sid: 'ManageInterfacesInThisVpc',
        actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: [interfaces],
        conditions: { ArnEquals: { 'ec2:Vpc': vpc.vpcArn } },
      }),
      new iam.PolicyStatement({
        sid: 'DescribeInterfacesAndSubnets',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    ],
  });
  acknowledgeWildcardResource(policy, interfaces,
    'Lambda creates the handler\'s network interfaces itself, so their ids are unknown in advance: creation is limited to the selected subnets and security groups, and delete/assign/unassign to interfaces in this VPC (ec2:Vpc condition), in this account and Region.');
  acknowledgeWildcard(policy, 'Resource::*',
    'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions; they are read-only and only these two actions are granted on "*".');
  return policy;
}

/**
 * Lets CloudWatch Logs in this account and Region use the key for log groups (no effect on an
 * imported key, whose policy must already allow it).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
function allowLogGroupEncryption(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    },
  }));
}
