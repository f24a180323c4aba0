import { ONE_STACK_SIDES, OneStackResult, OneStackSide } from './synth-bench';
import { StackTemplate } from './template-bytes';

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };
type Statement = { Principal?: { Service?: unknown }; Condition?: unknown };

/** The parts a connection's bytes are split into (compact JSON), in report order. */
export const COST_PARTS = [
  'trust',
  'trustConditions',
  'basePolicy',
  'connection',
  'providerPolicy',
  'rest',
] as const;
export type CostPart = typeof COST_PARTS[number];

export const COST_PART_LABELS: Record<CostPart, string> = {
  trust: 'Proton role: the role itself (logical id, type, trust statement, no conditions)',
  trustConditions: 'Proton role: confused-deputy trust conditions (`aws:SourceAccount`, `aws:SourceArn` per environment)',
  basePolicy: 'Proton role: CloudFormation base statement (`ManageProtonStacks` inline policy)',
  connection: 'connection resource (floor: `AWS::Proton::EnvironmentAccountConnection`; library: `Custom::ProtonEnvironmentAccountConnection` with its ServiceToken; peer: `Custom::AWS` with its Create/Update/Delete calls as JSON strings)',
  providerPolicy: 'connection handler policy (library: `iam:PassRole` resource per role; peer: one `AWS::IAM::Policy` per custom resource)',
  rest: 'everything else in the stack (handler function, its role, log group, Parameters, Rules, JSON punctuation)',
};

/** The connection resource of each side: the floor's L1, the library's custom resource, the peer's `AwsCustomResource`. */
const CONNECTION_TYPES = ['AWS::Proton::EnvironmentAccountConnection', 'Custom::ProtonEnvironmentAccountConnection', 'Custom::AWS'];

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

function isProtonRole(resource: Resource): boolean {
  if (resource.Type !== 'AWS::IAM::Role') return false;
  const statements = ((resource.Properties?.AssumeRolePolicyDocument as { Statement?: Statement[] })?.Statement ?? []);
  return statements.some((s) => JSON.stringify(s.Principal?.Service ?? '').includes('proton.amazonaws.com'));
}

/** A template's compact bytes split into the parts above; the parts sum to its compact size. */
export function costParts(template: StackTemplate): Record<CostPart, number> {
  const parts: Record<CostPart, number> = { trust: 0, trustConditions: 0, basePolicy: 0, connection: 0, providerPolicy: 0, rest: 0 };
  for (const [id, resource] of Object.entries((template.template.Resources ?? {}) as Record<string, Resource>)) {
    // `"<id>":{…}` plus the comma that separates it from the next resource
    const whole = bytes({ [id]: resource }) - 1;
    if (isProtonRole(resource)) {
      const copy = JSON.parse(JSON.stringify(resource)) as Resource;
      const props = copy.Properties!;
      delete props.Policies;
      const withoutPolicies = bytes({ [id]: copy }) - 1;
      for (const s of (props.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement) delete s.Condition;
      const bare = bytes({ [id]: copy }) - 1;
      parts.basePolicy += whole - withoutPolicies;
      parts.trustConditions += withoutPolicies - bare;
      parts.trust += bare;
    } else if (CONNECTION_TYPES.includes(resource.Type)) {
      parts.connection += whole;
    } else if (resource.Type === 'AWS::IAM::Policy' && (id.startsWith('ProtonEnvironmentAccountConnectionProvider') || /^Connection\d*CustomResourcePolicy/.test(id))) {
      parts.providerPolicy += whole;
    }
  }
  const counted = COST_PARTS.reduce((s, p) => s + parts[p], 0);
  parts.rest = template.compactBytes - counted;
  return parts;
}

/** Bytes per extra connection, per part, between the stacks with the fewest and the most connections. */
export function marginalParts(small: StackTemplate, large: StackTemplate, extra: number): Record<CostPart, number> {
  const a = costParts(small);
  const b = costParts(large);
  return Object.fromEntries(COST_PARTS.map((p) => [p, (b[p] - a[p]) / extra])) as Record<CostPart, number>;
}

export type SideParts = Record<OneStackSide, Record<CostPart, number>>;

/** Per part, bytes per extra connection between the stacks with the fewest and the most connections. */
export function partsPerConnection(o: OneStackResult): SideParts {
  const last = o.ks.length - 1;
  const extra = o.ks[last] - o.ks[0];
  return Object.fromEntries(ONE_STACK_SIDES.map((side) => [side, marginalParts(o.templates[side][0], o.templates[side][last], extra)])) as SideParts;
}
