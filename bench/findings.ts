import { BenchResults } from './results';
import { TargetCheck } from './targets';

/**
 * The measured cause of each missed target and what would reach it. Written from the profile
 * data the report prints (phase timings, bytes by resource type); kept next to the checks so a
 * rerun that passes drops the text.
 */
export function findingsFor(_r: BenchResults, checks: TargetCheck[]): string[] {
  const missed = new Set(checks.filter((c) => !c.pass).map((c) => c.id));
  const notes: string[] = [];
  for (const id of missed) {
    const text = FINDINGS[id];
    notes.push(text ?? `- **${id}**: missed; no analysis recorded for this target yet.`);
  }
  return notes;
}

const FINDINGS: Record<string, string> = {
  'marginal': [
    '- **Marginal bytes per connection (MISS).** Measured with the per-type breakdown in section 2: per extra connection the library adds',
    '  an `EnvironmentAccountProtonRole` (~1,350 B compact: the 16-action `ManageProtonStacks` CloudFormation statement ~560 B, the',
    '  confused-deputy trust conditions `aws:SourceAccount` + `aws:SourceArn` ~250 B, a ~90 B description, the inline-policy wrapper)',
    '  plus the `Custom::ProtonEnvironmentAccountConnection` (~485 B: ServiceToken GetAtt, three properties, a `DependsOn` on both the',
    '  provider role and its default policy, explicit `UpdateReplacePolicy`/`DeletionPolicy`), plus one `iam:PassRole` resource ARN in the',
    '  provider policy (~40 B). The floor adds a bare role with no permissions and no conditions (~200 B) and the L1 connection (~190 B).',
    '  The written template is indented, which roughly doubles the deeply nested IAM documents. **What would reach it** (library changes,',
    '  in order of bytes saved): (1) put the `ManageProtonStacks` statement in one `iam.ManagedPolicy` per stack, shared by every',
    '  `EnvironmentAccountProtonRole` in it through `managedPolicies` (in `ProvisioningPolicy`/`cloudformation-base.ts`), instead of',
    '  repeating it inline in every role: about −700 B per connection as written; (2) drop `resource.node.addDependency(provider.role)` in',
    '  `EnvironmentAccountConnection`: the `ServiceToken` GetAtt already orders the resource after the handler function, which itself',
    '  `DependsOn` the role and its default policy (−~120 B); (3) no default `description` on the role (−~100 B); (4) emit the connection',
    '  through `CfnResource` without the explicit `Delete` policies, which are CloudFormation\'s default (−~90 B). Together that is about',
    '  1,000 B per connection, i.e. roughly 2.5× the floor. The rest is the confused-deputy trust and the scoped CloudFormation',
    '  permissions, which DESIGN.md requires and the floor simply does not have (its role can do nothing); 1.5× is reachable only by',
    '  dropping them, so the target should be restated against a floor with an equivalent scoped role, or raised to ~2.5×.',
  ].join('\n'),
  'synth-100': [
    '- **Synth at N=100 (MISS).** A CPU profile of the library app at N=100 (`bench/profile-synth.ts library 100`) spends about half of',
    '  its CPU in WebAssembly: aws-cdk-lib 2.276\'s built-in CloudFormation template validation, which runs on every stack at synth and',
    '  scales with resources and bytes. Each library environment stack carries 6 resources (Proton role, handler role, default policy,',
    '  log group, function, custom resource) and ~3.5× the floor\'s bytes, plus the management stack. **What would reach it:** the byte cuts',
    '  listed under the marginal-bytes finding, and fewer per-stack resources (e.g. no dedicated log group when the caller gives none).',
  ].join('\n'),
};
