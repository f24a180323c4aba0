import { MANAGEMENT_ACCOUNT, MANAGEMENT_STACK, REGION } from './apps/app-spec';
import { IAM_ROLE_INLINE_POLICY_LIMIT, rolePolicySizes } from './iam-policy-size';
import { BenchResults, oneStackFits, oneStackOf, scalingAt } from './results';
import { int, kb } from './stats';
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
}

/** The library's targets, checked against one run. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at100 = scalingAt(r, 100);
  const at500 = scalingAt(r, 500);
  const synthRatio = at100.sides.library.medianMs / at100.sides.floor.medianMs;
  checks.push({ id: 'synth-100', target: 'synth at N=100 ≤ 1.5× the floor', measured: `${synthRatio.toFixed(2)}×`, pass: synthRatio <= 1.5 });
  const growth = at500.sides.library.medianMs / at100.sides.library.medianMs;
  checks.push({ id: 'growth', target: 'synth N=500 / N=100 ≤ 5.5×', measured: `${growth.toFixed(2)}× (floor ${(at500.sides.floor.medianMs / at100.sides.floor.medianMs).toFixed(2)}×)`, pass: growth <= 5.5 });
  // Judged on the shared-role shape (the marginal cost of a connection) in minified JSON (what CloudFormation receives).
  const shared = oneStackOf(r, 'shared-role');
  const fits = oneStackFits(shared, 'compact');
  const fileFits = oneStackFits(shared, 'file');
  const marginal = fits.library.slope / fits.floor.slope;
  checks.push({
    id: 'marginal',
    target: 'marginal bytes per extra connection ≤ 1.5× the floor\'s (shared role, minified)',
    measured: `${int(fits.library.slope)} B vs ${int(fits.floor.slope)} B = ${marginal.toFixed(2)}× ` +
      `(indented file: ${int(fileFits.library.slope)} B vs ${int(fileFits.floor.slope)} B = ${(fileFits.library.slope / fileFits.floor.slope).toFixed(2)}×)`,
    pass: marginal <= 1.5,
  });
  const overhead = fits.library.intercept - fits.floor.intercept;
  const fileOverhead = fileFits.library.intercept - fileFits.floor.intercept;
  checks.push({
    id: 'fixed',
    target: 'fixed per-stack overhead ≤ 8 KB (shared role, minified)',
    measured: `${kb(overhead)} over the floor's fixed part (library intercept ${kb(fits.library.intercept)}, floor ${kb(fits.floor.intercept)}; indented file: ${kb(fileOverhead)})`,
    pass: overhead <= 8 * 1024,
  });
  for (const m of r.management) {
    checks.push({
      id: `management-${m.accounts}-${m.continuous ? 'continuous' : 'deploy-only'}`,
      target: `${m.pairs.toLocaleString('en-US')} pairs / ${m.accounts.toLocaleString('en-US')} accounts${m.continuous ? ' (continuousAcceptance)' : ''}: < 500 resources and < 1 MB`,
      measured: `${m.resources} resources, ${kb(m.bytes)}`,
      pass: m.resources < 500 && m.bytes < 1_000_000,
    });
  }
  for (const m of r.management) {
    const largest = largestRolePolicy(m);
    checks.push({
      id: `iam-policy-${m.accounts}${m.continuous ? '-continuous' : ''}`,
      target: `acceptor role's inline policies, ${m.pairs.toLocaleString('en-US')} pairs / ${m.accounts.toLocaleString('en-US')} accounts${m.continuous ? ' (continuousAcceptance)' : ''}: < ${IAM_ROLE_INLINE_POLICY_LIMIT.toLocaleString('en-US')} characters`,
      measured: `${int(largest.characters)} characters (${largest.policies} ${largest.policies === 1 ? 'policy' : 'policies'} of \`${largest.logicalId}\`, resolved, no whitespace)`,
      pass: largest.characters < IAM_ROLE_INLINE_POLICY_LIMIT,
    });
  }
  for (const c of r.coldStarts) {
    const name = c.bundle.name.split('/')[0];
    checks.push({ id: `bundle-${name}`, target: `${name} bundle ≤ 600 KB`, measured: kb(c.bundle.bytes), pass: c.bundle.bytes <= 600 * 1024 });
    checks.push({ id: `cold-${name}`, target: `${name} cold start ≤ 300 ms`, measured: `${c.spawnToResponseMs.toFixed(0)} ms`, pass: c.spawnToResponseMs <= 300 });
  }
  checks.push({ id: 'api-calls', target: '≤ 6 Proton API calls per happy-path lifecycle', measured: String(r.lifecycle.total), pass: r.lifecycle.total <= 6 });
  return checks;
}
