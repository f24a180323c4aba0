/**
 * Plausible physical ids and attributes for resources that are not custom resources. Nothing is created anywhere:
 * these only give `Ref`/`Fn::GetAtt` realistic values (names, ARNs) for the custom resources and outputs that use them.
 */
import { randomBytes, randomUUID } from 'crypto';
import { ruleProblem } from './event-rules';
import { parseStackSet, STACK_SET_TYPE } from './stack-set-definition';

export interface PlainResourceContext {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

export interface PlainResourceResult {
  readonly physicalId: string;
  readonly attributes: Record<string, unknown>;
  /** A warning to print (the type is not modelled, or is not executed locally). */
  readonly warning?: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `n` random upper-case alphanumerics, like CloudFormation's name suffixes. */
export function randomSuffix(n = 12): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

/** A CloudFormation-style generated name `<stack>-<logicalId>-<RANDOM>`, shortened to `maxLength`. */
export function generatedName(ctx: PlainResourceContext, maxLength = 64): string {
  const suffix = randomSuffix(12);
  let stack = ctx.stackName;
  let logical = ctx.logicalId;
  const budget = maxLength - suffix.length - 2;
  while (stack.length + logical.length > budget) {
    if (stack.length >= logical.length) stack = stack.slice(0, -1);
    else logical = logical.slice(0, -1);
  }
  return `${stack}-${logical}-${suffix}`;
}

/** Property names that carry a resource's name: when one changes, the resource is replaced (new physical id). */
export const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Policy': 'PolicyName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::Rule': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::CloudFormation::StackSet': 'StackSetName',
};

/** Types handled quietly even though they have no local meaning. */
const QUIET_TYPES = new Set(['AWS::CDK::Metadata']);

/**
 * Creates (or, with `previous`, updates in place) a plain resource. Throws what the service would answer to properties
 * it refuses (the EventBridge rules and SSM parameters that the deployer runs and serves).
 */
export function plainResource(
  ctx: PlainResourceContext,
  props: Record<string, unknown>,
  previous?: { physicalId: string; attributes: Record<string, unknown>; properties: Record<string, unknown> },
): PlainResourceResult {
  const problem = refused(ctx.type, props);
  if (problem?.invalid) throw new Error(problem.reason);
  const result = createOrUpdate(ctx, props, previous);
  return problem ? { ...result, warning: `${problem.reason}: the rule never fires locally` } : result;
}

/** What the service refuses (`invalid`), or what the local deployer does not emulate of the resource. */
function refused(type: string, props: Record<string, unknown>): { invalid: boolean; reason: string } | undefined {
  if (type === 'AWS::Events::Rule') return ruleProblem(props);
  if (type === STACK_SET_TYPE) {
    try {
      parseStackSet('', props);
    } catch (err) {
      return { invalid: true, reason: err instanceof Error ? err.message.replace(/^\S+ : /, '') : String(err) };
    }
  }
  if (type === 'AWS::SSM::Parameter') {
    if (props.Type !== 'String' && props.Type !== 'StringList') {
      return { invalid: true, reason: `Type ${JSON.stringify(props.Type)} is not supported: an AWS::SSM::Parameter is a String or a StringList` };
    }
    if (typeof props.Value !== 'string' || props.Value.length === 0) return { invalid: true, reason: 'Value is required (a non-empty string)' };
  }
  return undefined;
}

function createOrUpdate(
  ctx: PlainResourceContext,
  props: Record<string, unknown>,
  previous?: { physicalId: string; attributes: Record<string, unknown>; properties: Record<string, unknown> },
): PlainResourceResult {
  const nameProp = NAME_PROPERTIES[ctx.type];
  if (previous && (!nameProp || props[nameProp] === previous.properties[nameProp])) {
    // in-place update: keep identity, refresh attributes that derive from properties
    const fresh = build(ctx, props, previous.physicalId);
    return { ...fresh, physicalId: previous.physicalId, attributes: { ...previous.attributes, ...pickDerived(ctx.type, fresh.attributes) } };
  }
  return build(ctx, props);
}

function pickDerived(type: string, attributes: Record<string, unknown>): Record<string, unknown> {
  if (type === 'AWS::SSM::Parameter') return { Type: attributes.Type, Value: attributes.Value };
  return {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function build(ctx: PlainResourceContext, props: Record<string, unknown>, keepId?: string): PlainResourceResult {
  const { partition: p, region: r, account: a } = ctx;
  switch (ctx.type) {
    case 'AWS::IAM::Role': {
      const name = keepId ?? str(props.RoleName) ?? generatedName(ctx, 64);
      const rolePath = str(props.Path) ?? '/';
      return { physicalId: name, attributes: { Arn: `arn:${p}:iam::${a}:role${rolePath}${name}`, RoleId: `AROA${randomSuffix(17)}` } };
    }
    case 'AWS::IAM::Policy': {
      const id = keepId ?? `${ctx.stackName.slice(0, 5)}-${ctx.logicalId.slice(0, 5)}-${randomSuffix(12)}`;
      return { physicalId: id, attributes: { Id: id } };
    }
    case 'AWS::IAM::ManagedPolicy': {
      const policyPath = str(props.Path) ?? '/';
      const arn = keepId ?? `arn:${p}:iam::${a}:policy${policyPath}${str(props.ManagedPolicyName) ?? generatedName(ctx, 128)}`;
      return { physicalId: arn, attributes: { PolicyArn: arn, PolicyId: `ANPA${randomSuffix(17)}`, DefaultVersionId: 'v1', AttachmentCount: '0', IsAttachable: 'true' } };
    }
    case 'AWS::Lambda::Function': {
      const name = keepId ?? str(props.FunctionName) ?? generatedName(ctx, 64);
      return { physicalId: name, attributes: { Arn: `arn:${p}:lambda:${r}:${a}:function:${name}` } };
    }
    case 'AWS::Lambda::Permission': {
      const id = keepId ?? `${ctx.stackName}-${ctx.logicalId}-${randomSuffix(12)}`;
      return { physicalId: id, attributes: { Id: id } };
    }
    case 'AWS::Logs::LogGroup': {
      const name = keepId ?? str(props.LogGroupName) ?? generatedName(ctx, 512);
      return { physicalId: name, attributes: { Arn: `arn:${p}:logs:${r}:${a}:log-group:${name}:*` } };
    }
    case 'AWS::Events::Rule': {
      const name = str(props.Name) ?? generatedName(ctx, 64);
      const bus = str(props.EventBusName);
      const customBus = bus && bus !== 'default' ? bus.replace(/^arn:.*:event-bus\//, '') : undefined;
      const id = keepId ?? (customBus ? `${customBus}|${name}` : name);
      const ruleName = id.includes('|') ? id.split('|')[1] : id;
      return { physicalId: id, attributes: { Arn: `arn:${p}:events:${r}:${a}:rule/${customBus ? `${customBus}/` : ''}${ruleName}` } };
    }
    case 'AWS::SSM::Parameter': {
      const name = keepId ?? str(props.Name) ?? `CFN-${ctx.logicalId}-${randomSuffix(12)}`;
      return { physicalId: name, attributes: { Type: props.Type ?? 'String', Value: props.Value } };
    }
    case 'AWS::SQS::Queue': {
      const fifo = props.FifoQueue === true || props.FifoQueue === 'true';
      const name = str(props.QueueName) ?? `${generatedName(ctx, fifo ? 75 : 80)}${fifo ? '.fifo' : ''}`;
      const url = keepId ?? `https://sqs.${r}.${ctx.urlSuffix}/${a}/${name}`;
      const queueName = url.split('/').pop()!;
      return { physicalId: url, attributes: { Arn: `arn:${p}:sqs:${r}:${a}:${queueName}`, QueueName: queueName, QueueUrl: url } };
    }
    case 'AWS::SNS::Topic': {
      const arn = keepId ?? `arn:${p}:sns:${r}:${a}:${str(props.TopicName) ?? generatedName(ctx, 256)}`;
      return { physicalId: arn, attributes: { TopicArn: arn, TopicName: arn.split(':').pop() } };
    }
    case 'AWS::S3::Bucket': {
      const name = keepId ?? str(props.BucketName) ?? generatedName(ctx, 63).toLowerCase();
      return {
        physicalId: name,
        attributes: {
          Arn: `arn:${p}:s3:::${name}`,
          DomainName: `${name}.s3.${ctx.urlSuffix}`,
          RegionalDomainName: `${name}.s3.${r}.${ctx.urlSuffix}`,
          WebsiteURL: `http://${name}.s3-website-${r}.${ctx.urlSuffix}`,
        },
      };
    }
    case 'AWS::KMS::Key': {
      const id = keepId ?? randomUUID();
      return { physicalId: id, attributes: { Arn: `arn:${p}:kms:${r}:${a}:key/${id}`, KeyId: id } };
    }
    case 'AWS::CloudFormation::StackSet': {
      // its stack instances are deployed by the deployer's StackSet engine (stack-sets.ts)
      const id = keepId ?? `${String(props.StackSetName)}:${randomUUID()}`;
      return { physicalId: id, attributes: { StackSetId: id } };
    }
    case 'AWS::Proton::EnvironmentAccountConnection': {
      const id = keepId ? keepId.split('/').pop()! : randomUUID().replace(/-/g, '').slice(0, 26);
      const arn = `arn:${p}:proton:${r}:${a}:environment-account-connection/${id}`;
      return {
        physicalId: arn,
        attributes: { Arn: arn, Id: id },
        warning: 'AWS::Proton::EnvironmentAccountConnection is NOT executed by the local deployer (only a placeholder id is assigned); '
          + 'use the library\'s custom resource with the local Proton endpoint instead',
      };
    }
    default: {
      const id = keepId ?? generatedName(ctx, 128);
      const service = ctx.type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return {
        physicalId: id,
        attributes: { Arn: `arn:${p}:${service}:${r}:${a}:${ctx.type.split('::')[2]?.toLowerCase() ?? 'resource'}/${id}` },
        warning: QUIET_TYPES.has(ctx.type) ? undefined : `${ctx.type} is not modelled by the local deployer: assigned the placeholder id ${id}`,
      };
    }
  }
}
