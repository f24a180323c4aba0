import { MANAGEMENT_ACCOUNT, MANAGEMENT_STACK, REGION } from './apps/app-spec';
import { IAM_ROLE_INLINE_POLICY_LIMIT, rolePolicySizes } from './iam-policy-size';
import { BenchResults, msPerPair, oneStackFits, oneStackOf, scalingAt } from './results';
import { int, kb, seconds } from './stats';
import { ManagementResult } from './synth-bench';

/** The management stack's largest role policy aggregate, as the deployed policy reads. */
export function largestRolePolicy(m: ManagementResult) {
  return rolePolicySizes(m.template, { stackName: MANAGEMENT_STACK, account: MANAGEMENT_ACCOUNT, region: REGION })[0];
}

/** One target with its measured value and verdict. */
export interface TargetCheck {
  readonly id: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
  /** One of the issue's targets (listed first), or one kept from earlier issues. */
  readonly issue: boolean;
}

/** Proton calls a happy-path lifecycle needs: create, the acceptor's one list, accept, role update, delete. */
export const LIFECYCLE_CALL_TARGET = 5;
export const EVENT_PATH_TARGET_MS = 1000;

const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** The issue's targets, each with the ratio measured in this run. */
function issueTargets(r: BenchResults): Omit<TargetCheck, 'issue'>[] {
  const first = r.scaling[0];
  const last = r.scaling[r.scaling.length - 1];
  const [floor, library, peer] = (['floor', 'library', 'peer'] as const).map((s) => msPerPair(r, s));
  const at = scalingAt(r, 500);
  const synthRatio = at.sides.library.medianMs / at.sides.floor.medianMs;
  const resources = first.sides.library.environmentStackResources;
  const fits = oneStackFits(oneStackOf(r, 'shared-role'), 'compact');
  const marginal = fits.library.slope / fits.guardedFloor.slope;
  const calls = r.lifecycle.total;
  const ep = r.eventPath;
  return [{
    id: 'per-pair',
    target: 'time per extra environment pair ≤ 2× the floor\'s and no more than the AwsCustomResource peer\'s',
    measured: `N=${first.n}→${last.n}: library ${library.toFixed(1)} ms, floor ${floor.toFixed(1)} ms (${x(library, floor)}), peer ${peer.toFixed(1)} ms (${x(library, peer)})`,
    pass: library <= 2 * floor && library <= peer,
  }, {
    id: 'synth-500',
    target: 'synth at N=500 ≤ 1.3× the floor',
    measured: `${x(at.sides.library.medianMs, at.sides.floor.medianMs)} (${seconds(at.sides.library.medianMs)} s vs ${seconds(at.sides.floor.medianMs)} s; ` +
      `peer ${x(at.sides.peer.medianMs, at.sides.floor.medianMs)})${at.n === 500 ? '' : ` at N=${at.n} (quick mode)`}`,
    pass: synthRatio <= 1.3,
  }, {
    id: 'resources',
    target: 'at most 5 resources per environment stack in the default configuration',
    measured: `${resources} (\`ProtonEnvironmentLink\` defaults; floor ${first.sides.floor.environmentStackResources}, peer ${first.sides.peer.environmentStackResources})`,
    pass: resources <= 5,
  }, {
    id: 'marginal',
    target: 'marginal bytes per connection ≤ 1.5× a floor whose role carries the same confused-deputy conditions (report the bare floor too)',
    measured: `${int(fits.library.slope)} B vs ${int(fits.guardedFloor.slope)} B = ${marginal.toFixed(2)}× (bare floor ${int(fits.floor.slope)} B: ` +
      `${x(fits.library.slope, fits.floor.slope)}; peer ${int(fits.peer.slope)} B: ${x(fits.peer.slope, fits.guardedFloor.slope)}; shared role, minified)`,
    pass: marginal <= 1.5,
  }, {
    id: 'api-calls',
    target: `at most ${LIFECYCLE_CALL_TARGET} Proton calls per happy-path lifecycle (create, accept, role update, delete, and the one list the acceptor needs)`,
    measured: String(calls),
    pass: calls <= LIFECYCLE_CALL_TARGET,
  }, {
    id: 'event-path',
    target: 'from request filed to CONNECTED on the event path of continuous acceptance, in the local tools, under one second',
    measured: `${ep.medianMs.toFixed(0)} ms (median of ${ep.runs.length}, from the connection's CREATE_COMPLETE; ${ep.medianFiledMs.toFixed(0)} ms from the request's first sight on the endpoint)`,
    pass: ep.medianMs < EVENT_PATH_TARGET_MS,
  }];
}

/** Targets from earlier issues that still apply: fixed overhead, 1,000 pairs, IAM policy size, bundles, cold starts. */
function keptTargets(r: BenchResults): Omit<TargetCheck, 'issue'>[] {
  const checks: Omit<TargetCheck, 'issue'>[] = [];
  const shared = oneStackOf(r, 'shared-role');
  const fits = oneStackFits(shared, 'compact');
  const fileFits = oneStackFits(shared, 'file');
  const overhead = fits.library.intercept - fits.floor.intercept;
  checks.push({
    id: 'fixed',
    target: 'fixed per-stack overhead ≤ 8 KB (shared role, minified)',
    measured: `${kb(overhead)} over the bare floor's fixed part (library intercept ${kb(fits.library.intercept)}, floor ${kb(fits.floor.intercept)}; ` +
      `indented file: ${kb(fileFits.library.intercept - fileFits.floor.intercept)})`,
    pass: overhead <= 8 * 1024,
  });
  const scope = (m: ManagementResult) => `${m.pairs.toLocaleString('en-US')} pairs / ${m.accounts.toLocaleString('en-US')} accounts${m.continuous ? ' (continuousAcceptance)' : ''}`;
  for (const m of r.management) {
    checks.push({
      id: `management-${m.accounts}-${m.continuous ? 'continuous' : 'deploy-only'}`,
      target: `${scope(m)}: < 500 resources and < 1 MB`,
      measured: `${m.resources} resources, ${kb(m.bytes)}`,
      pass: m.resources < 500 && m.bytes < 1_000_000,
    });
  }
  for (const m of r.management) {
    const largest = largestRolePolicy(m);
    checks.push({
      id: `iam-policy-${m.accounts}${m.continuous ? '-continuous' : ''}`,
      target: `acceptor role's inline policies, ${scope(m)}: < ${IAM_ROLE_INLINE_POLICY_LIMIT.toLocaleString('en-US')} characters`,
      measured: `${int(largest.characters)} characters (${largest.policies} ${largest.policies === 1 ? 'policy' : 'policies'} of \`${largest.logicalId}\`, resolved, no whitespace)`,
      pass: largest.characters < IAM_ROLE_INLINE_POLICY_LIMIT,
    });
  }
  for (const c of r.coldStarts) {
    const name = c.bundle.name.split('/')[0];
    checks.push({ id: `bundle-${name}`, target: `${name} bundle ≤ 600 KB`, measured: kb(c.bundle.bytes), pass: c.bundle.bytes <= 600 * 1024 });
    checks.push({ id: `cold-${name}`, target: `${name} cold start ≤ 300 ms`, measured: `${c.spawnToResponseMs.toFixed(0)} ms`, pass: c.spawnToResponseMs <= 300 });
  }
  return checks;
}

/** Every target, checked against one run: the issue's first, in its order. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  return [...issueTargets(r).map((c) => ({ ...c, issue: true })), ...keptTargets(r).map((c) => ({ ...c, issue: false }))];
}
