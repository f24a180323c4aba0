import { StackTemplate } from './template-bytes';

/** IAM's limit on the aggregate size of a role's inline policies (whitespace not counted). */
export const IAM_ROLE_INLINE_POLICY_LIMIT = 10_240;

/** Where the template is deployed: what the pseudo parameters resolve to. */
export interface DeployTarget {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/**
 * A physical name CloudFormation generates for a resource without one:
 * `<stack name>-<logical id>-<13 random characters>`, cut to IAM's 64-character name limit.
 * The random part is written as `X`s: only the length matters here.
 */
function generatedName(target: DeployTarget, logicalId: string): string {
  const suffix = `-${'X'.repeat(13)}`;
  return `${target.stackName}-${logicalId}`.slice(0, 64 - suffix.length) + suffix;
}

function physicalName(target: DeployTarget, logicalId: string, resource: Resource): string {
  const props = resource.Properties ?? {};
  const explicit = props.RoleName ?? props.FunctionName ?? props.LogGroupName ?? props.PolicyName ?? props.ManagedPolicyName;
  return typeof explicit === 'string' ? explicit : generatedName(target, logicalId);
}

function arnOf(target: DeployTarget, logicalId: string, resource: Resource): string {
  const p = target.partition ?? 'aws';
  const name = physicalName(target, logicalId, resource);
  switch (resource.Type) {
    case 'AWS::IAM::Role': return `arn:${p}:iam::${target.account}:role/${name}`;
    case 'AWS::IAM::ManagedPolicy': return `arn:${p}:iam::${target.account}:policy/${name}`;
    case 'AWS::Logs::LogGroup': return `arn:${p}:logs:${target.region}:${target.account}:log-group:${name}:*`;
    case 'AWS::Lambda::Function': return `arn:${p}:lambda:${target.region}:${target.account}:function:${name}`;
    case 'AWS::SQS::Queue': return `arn:${p}:sqs:${target.region}:${target.account}:${name}`;
    default: {
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:${p}:${service}:${target.region}:${target.account}:${name}`;
    }
  }
}

/**
 * Resolves `Ref`, `Fn::GetAtt …Arn`, `Fn::Join` and `Fn::Sub` the way the deployed policy reads:
 * pseudo parameters become the target's values, resources their (generated) physical names and ARNs,
 * parameters their defaults. Anything else is an error, so that a new intrinsic is not silently
 * measured as its JSON.
 */
export function resolveIntrinsics(value: unknown, template: StackTemplate, target: DeployTarget): unknown {
  const resources = (template.template.Resources ?? {}) as Record<string, Resource>;
  const parameters = (template.template.Parameters ?? {}) as Record<string, { Default?: unknown }>;
  const pseudo: Record<string, string> = {
    'AWS::Partition': target.partition ?? 'aws',
    'AWS::Region': target.region,
    'AWS::AccountId': target.account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': target.stackName,
  };
  const ref = (name: string): string => {
    if (name in pseudo) return pseudo[name];
    if (name in parameters) return String(parameters[name].Default ?? '');
    const resource = resources[name];
    if (!resource) throw new Error(`Ref to unknown ${name}`);
    return physicalName(target, name, resource);
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      if (key === 'Ref') return ref(arg as string);
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg) ? arg as string[] : String(arg).split('.');
        if (attribute !== 'Arn') throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute}`);
        return arnOf(target, id, resources[id]);
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map((part) => String(resolve(part))).join(separator);
      }
      if (key === 'Fn::Sub' && typeof arg === 'string') {
        return arg.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          const [id, attribute] = name.split('.');
          return attribute === 'Arn' ? arnOf(target, id, resources[id]) : ref(name);
        });
      }
      if (key.startsWith('Fn::')) throw new Error(`cannot resolve ${key}`);
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, resolve(x)]));
  };
  return resolve(value);
}

/** One role's inline policies as IAM counts them. */
export interface RolePolicySize {
  readonly logicalId: string;
  /** Characters of all its inline policies (the role's own `Policies` and `AWS::IAM::Policy` attached to it), resolved, no whitespace. */
  readonly characters: number;
  /** The same documents as they stand in the template (intrinsics unresolved, compact). */
  readonly unresolvedCharacters: number;
  readonly policies: number;
}

/**
 * Every role's aggregate inline-policy size, largest first. IAM does not count whitespace, so a
 * document counts as its minified JSON (with intrinsics resolved, as IAM stores it).
 */
export function rolePolicySizes(template: StackTemplate, target: DeployTarget): RolePolicySize[] {
  const resources = (template.template.Resources ?? {}) as Record<string, Resource>;
  const docs = new Map<string, unknown[]>();
  const add = (roleId: string, doc: unknown) => docs.set(roleId, [...(docs.get(roleId) ?? []), doc]);
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      docs.set(id, docs.get(id) ?? []);
      for (const policy of (props.Policies ?? []) as Array<{ PolicyDocument: unknown }>) add(id, policy.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Policy') {
      for (const role of (props.Roles ?? []) as Array<{ Ref?: string }>) {
        if (role.Ref && resources[role.Ref]) add(role.Ref, props.PolicyDocument);
      }
    }
  }
  return [...docs.entries()].map(([logicalId, list]) => ({
    logicalId,
    characters: list.reduce<number>((s, d) => s + JSON.stringify(resolveIntrinsics(d, template, target)).length, 0),
    unresolvedCharacters: list.reduce<number>((s, d) => s + JSON.stringify(d).length, 0),
    policies: list.length,
  })).sort((a, b) => b.characters - a.characters);
}
