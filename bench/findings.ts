import { PEER_LISTS_PER_STACK, PEER_PAIRS_PER_LIST } from './apps/app-spec';
import { COST_PARTS, COST_PART_LABELS, partsPerConnection } from './connection-cost';
import { EVENT_POLL_MS } from './event-path';
import { BenchResults, msPerPair, oneStackFits, oneStackOf, scalingAt } from './results';
import { int } from './stats';
import { Side } from './synth-bench';
import { LIFECYCLE_CALL_TARGET, TargetCheck } from './targets';
import { bytesByType } from './template-bytes';

/**
 * The measured cause of each missed target and what would reach it, written from this run's
 * measurements (phase timings, resource types, bytes by part, call counts), so that a rerun that
 * passes drops the text and a rerun that misses explains itself with its own numbers.
 */
export function findingsFor(r: BenchResults, checks: TargetCheck[]): string[] {
  return checks.filter((c) => !c.pass).map((c) => {
    const explain = FINDINGS[c.id];
    return explain ? explain(r) : `- **${c.target} (MISS)**: no analysis recorded for this target.`;
  });
}

/** Where the synth time goes, from the profiler (`bench/profile-synth.ts`), and what is left to cut. */
const SYNTH_PROFILE = [
  '  **Where the time goes** (`npx ts-node --transpile-only --project tsconfig.dev.json bench/profile-synth.ts library 250`): the largest single',
  '  cost of `app.synth()` is aws-cdk-lib\'s built-in CloudFormation template validation (its WebAssembly engine, `cloudformation-validate`),',
  '  which runs on every template of every side and grows with template bytes; in the library\'s own code, the handler\'s L2 constructs',
  '  (role, function, log group) and the cdk-nag acknowledgements. This release cut what the profile showed: the handler\'s',
  '  `AWS::IAM::Policy` resource and `LogGroup.grantWrite` (its permissions are now inline in its role), and the stack trace aws-cdk-lib',
  '  captures for every acknowledgement; per pair, construct time fell by about a third and synth time by about a fifth (measured',
  '  before/after in one session; see the closing note). What is left is the price of a Lambda-backed custom resource: a handler role,',
  '  function and log group in each environment stack, which the floor\'s `AWS::Proton::EnvironmentAccountConnection` does not need but',
  '  which CloudFormation can no longer create since the end of support. The deployable alternative, the `AwsCustomResource` peer, costs',
  '  the same per pair. Reaching 2× (or 1.3× at N=500) would take sharing one handler between the environment stacks of an account',
  '  and Region (a provider stack that each environment stack imports), which saves nothing in the usual one-stack-per-account layout.',
].join('\n');

const FINDINGS: Record<string, (r: BenchResults) => string> = {
  'per-pair': (r) => [
    `- **Time per extra environment pair (MISS).** ${phaseSlopes(r)}`,
    `  ${environmentStackCost(r)}`,
    '  **What would reach it:** fewer bytes and resources per environment stack (aws-cdk-lib validates, resolves and writes every template at',
    '  synth, so the time per pair follows them): the library\'s stack by resource type (minified, one connection): ' + libraryStackByType(r) + '.',
    '  Where the time goes, what this release cut and what is left: under the next miss.',
  ].join('\n'),
  'synth-500': (r) => {
    const at = scalingAt(r, 500);
    const [f, l] = [at.sides.floor, at.sides.library];
    return [
      `- **Synth at N=${at.n} (MISS): ${(l.medianMs / f.medianMs).toFixed(2)}×.** Of the library's ${int(l.medianMs)} ms vs the floor's ${int(f.medianMs)} ms, ` +
        `constructing the tree takes ${int(l.medianPhases.constructMs)} vs ${int(f.medianPhases.constructMs)} ms and \`app.synth()\` ${int(l.medianPhases.synthMs)} vs ${int(f.medianPhases.synthMs)} ms;`,
      `  the library writes ${(l.totalBytes / f.totalBytes).toFixed(1)}× the floor's template bytes (${int(l.totalBytes)} vs ${int(f.totalBytes)}) and ${(l.resources / f.resources).toFixed(1)}× its resources (${l.resources} vs ${f.resources}).`,
      '  **What would reach it:** synth time at large N is the per-stack work: fewer bytes and resources per environment stack (' + libraryStackByType(r) + ').',
      SYNTH_PROFILE,
    ].join('\n');
  },
  'resources': (r) => {
    const types = r.scaling[0].sides.library.environmentStackTypes;
    const total = Object.values(types).reduce((a, b) => a + b, 0);
    const cuts: string[] = [];
    if (types['AWS::Logs::LogGroup']) cuts.push('no dedicated `AWS::Logs::LogGroup` for the handler when the caller gives none (Lambda then writes to its default log group): −1');
    if (types['AWS::IAM::Policy']) cuts.push('the handler\'s statements as an inline policy of its role (`iam.Role({ inlinePolicies })`) instead of a separate `AWS::IAM::Policy`: −1');
    return [
      `- **Resources per environment stack (MISS): ${total}.** ${Object.entries(types).map(([t, n]) => `${n} × \`${t}\``).join(', ')}.`,
      `  **What would reach it** (library changes): ${cuts.length ? cuts.join('; ') : 'drop a resource from the connection handler'}.`,
    ].join('\n');
  },
  'marginal': (r) => {
    const o = oneStackOf(r, 'shared-role');
    const fit = oneStackFits(o, 'compact');
    const p = partsPerConnection(o);
    const rows = COST_PARTS.filter((part) => Math.abs(p.library[part] - p.guardedFloor[part]) >= 0.5)
      .map((part) => `${COST_PART_LABELS[part].split(' (')[0]} ${int(p.library[part])} B vs ${int(p.guardedFloor[part])} B`);
    return [
      `- **Marginal bytes per connection (MISS): ${int(fit.library.slope)} B vs ${int(fit.guardedFloor.slope)} B; 1.5× would be ${int(1.5 * fit.guardedFloor.slope)} B.** ` +
        `Per extra connection against the guarded floor: ${rows.join('; ')}.`,
      '  **What would reach it** (library changes): the literal partition in the trust\'s `aws:SourceArn` when the stack\'s Region is known',
      '  (`Fn::Join` with `Ref AWS::Partition` costs ~45 B), and a shorter logical id for the connection handler, which every `ServiceToken` repeats.',
    ].join('\n');
  },
  'api-calls': (r) => {
    const expected: Record<string, number> = {
      CreateEnvironmentAccountConnection: 1,
      ListEnvironmentAccountConnections: 1,
      AcceptEnvironmentAccountConnection: 1,
      UpdateEnvironmentAccountConnection: 1,
      DeleteEnvironmentAccountConnection: 1,
    };
    const extra: string[] = [];
    const seen: Record<string, number> = {};
    for (const phase of r.lifecycle.phases) {
      for (const ops of Object.values(phase.byAccount)) {
        for (const [op, n] of Object.entries(ops)) {
          seen[op] = (seen[op] ?? 0) + n;
          const over = seen[op] - (expected[op] ?? 0);
          if (over > 0) extra.push(`${Math.min(over, n)} × ${op} in "${phase.phase}"`);
        }
      }
    }
    return [
      `- **Proton calls per lifecycle (MISS): ${r.lifecycle.total} against ${LIFECYCLE_CALL_TARGET}.** Beyond create, list, accept, update and delete: ${extra.join('; ') || 'none'} (section 5).`,
      '  **What would reach it** (library change): drop those calls from the handler; the properties CloudFormation passes on an update already say what changed.',
    ].join('\n');
  },
  'event-path': (r) => [
    `- **Request filed → CONNECTED on the event path (MISS): ${r.eventPath.medianMs.toFixed(0)} ms.** From the request's first sight to the sweep's first Proton call`,
    `  ${r.eventPath.medianFiledToSweepMs.toFixed(0)} ms (the deployer reads AWS Proton's events every ${EVENT_POLL_MS} ms, then starts the acceptor's handler process),`,
    `  then ${r.eventPath.medianSweepToConnectedMs.toFixed(0)} ms to CONNECTED (list, accept). **What would reach it:** a lighter handler start (smaller bundle, fewer modules loaded before the sweep).`,
  ].join('\n'),
};

function phaseSlopes(r: BenchResults): string {
  const sides: Side[] = ['floor', 'library', 'peer'];
  const row = (s: Side) => `${s} ${msPerPair(r, s).toFixed(1)} ms (construct ${msPerPair(r, s, 'constructMs').toFixed(1)}, synth ${msPerPair(r, s, 'synthMs').toFixed(1)})`;
  return `Per extra pair, median slopes between N=${r.scaling[0].n} and N=${r.scaling[r.scaling.length - 1].n}: ${sides.map(row).join('; ')}.`;
}

function libraryStackByType(r: BenchResults): string {
  const stack = oneStackOf(r, 'role-per-connection').templates.library[0];
  return bytesByType(stack).map((g) => `${g.count} × \`${g.what}\` ${int(g.bytes)} B`).join(', ');
}

function environmentStackCost(r: BenchResults): string {
  const s = r.scaling[r.scaling.length - 1].sides;
  return `One environment stack: floor ${int(s.floor.environmentStackBytes)} B / ${s.floor.environmentStackResources} resources, ` +
    `library ${int(s.library.environmentStackBytes)} B / ${s.library.environmentStackResources}, peer ${int(s.peer.environmentStackBytes)} B / ${s.peer.environmentStackResources} (indented files).`;
}

/** What stands beside the targets whatever they say: the peer's limits, and the cost of a role per connection. */
export function notesFor(r: BenchResults): string[] {
  const o = oneStackOf(r, 'role-per-connection');
  const fit = oneStackFits(o, 'compact');
  const p = partsPerConnection(o);
  const parts = (side: 'library' | 'guardedFloor' | 'peer') => COST_PARTS.filter((part) => Math.abs(p[side][part]) >= 0.5)
    .map((part) => `${COST_PART_LABELS[part].split(' (')[0]} ${int(p[side][part])} B`).join(', ');
  const perStack = PEER_PAIRS_PER_LIST * PEER_LISTS_PER_STACK;
  const peer = [
    '- **The `AwsCustomResource` peer cannot wait, adopt or converge.** Its numbers are those of a peer that files the request and accepts it',
    '  once: it cannot wait for acceptance, cannot adopt an existing PENDING or CONNECTED connection (Create fails on a second request for',
    '  the same environment), and cannot converge (a request re-filed or rejected after deploy stays so until a redeploy). Its acceptance is',
    '  brittle: each accept takes an id by its position in one `ListEnvironmentAccountConnections` response (`environmentAccountConnections.<i>.id`),',
    '  so it accepts whatever PENDING requests the list returns there, with no allow-list check, and fails when fewer are pending. A custom resource\'s',
    `  response holds 4 KB, so one list serves at most ${PEER_PAIRS_PER_LIST} accepts, and a stack holds 500 resources, so past ${perStack} pairs it needs another management stack.`,
  ];
  const perConnection = [
    `- **(b) Role per connection** (section 2): library ${int(fit.library.slope)} B per connection, guarded floor ${int(fit.guardedFloor.slope)} B ` +
      `(${(fit.library.slope / fit.guardedFloor.slope).toFixed(2)}×), bare floor ${int(fit.floor.slope)} B, peer ${int(fit.peer.slope)} B. Library: ${parts('library')};`,
    `  guarded floor: ${parts('guardedFloor')}; peer: ${parts('peer')}. The library's role also carries the CloudFormation base statement`,
    '  (`ManageProtonStacks`) that the hand-written roles lack: they cannot provision anything.',
  ];
  return [peer.join('\n'), perConnection.join('\n')];

}
