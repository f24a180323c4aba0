import { OneStackShape } from './apps/app-spec';
import { ColdStartResult } from './cold-start';
import { EventPathResult } from './event-path';
import { LifecycleResult } from './lifecycle';
import { Machine } from './machine';
import { OrganizationFigures } from './organization-figures';
import { linearFit } from './stats';
import { ManagementResult, ONE_STACK_SIDES, OneStackResult, OneStackSide, ScalingPoint, Side } from './synth-bench';

/** Everything one bench run measured. */
export interface BenchResults {
  readonly date: string;
  readonly machine: Machine;
  readonly wallMs: number;
  /** 1, 5 and 15-minute load averages before and after the run. */
  readonly loadAverage: { readonly before: number[]; readonly after: number[] };
  readonly scaling: ScalingPoint[];
  /** Section 2, both shapes. */
  readonly oneStack: OneStackResult[];
  readonly management: ManagementResult[];
  readonly coldStarts: ColdStartResult[];
  readonly lifecycle: LifecycleResult;
  readonly eventPath: EventPathResult;
  /** From bench/ORGANIZATION-SWEEP.md, as `npx projen bench:organization` last wrote it. */
  readonly organization?: OrganizationFigures;
  /** BENCH_QUICK=1: fewer runs and N, written to bench/out/ only. */
  readonly quick: boolean;
}

/** Which bytes: minified JSON (the content) or the indented file as written. */
export type ByteMeasure = 'compact' | 'file';

/** fixed + marginal × k, per side. */
export function oneStackFits(result: OneStackResult, measure: ByteMeasure): Record<OneStackSide, { intercept: number; slope: number }> {
  const series = measure === 'compact' ? result.compactBytes : result.bytes;
  const fit = (side: OneStackSide) => linearFit(result.ks.map((k, i) => ({ x: k, y: series[side][i] })));
  return Object.fromEntries(ONE_STACK_SIDES.map((side) => [side, fit(side)])) as Record<OneStackSide, { intercept: number; slope: number }>;
}

export function oneStackOf(results: BenchResults, shape: OneStackShape): OneStackResult {
  const found = results.oneStack.find((o) => o.shape === shape);
  if (!found) throw new Error(`no one-stack result for ${shape}`);
  return found;
}

/** The scaling point at N, or the largest N measured when N was not (quick mode). */
export function scalingAt(results: BenchResults, n: number): ScalingPoint {
  return results.scaling.find((p) => p.n === n) ?? results.scaling[results.scaling.length - 1];
}

/** Time per extra environment pair: the slope of the median synth time between the smallest and the largest N. */
export function msPerPair(results: BenchResults, side: Side, phase?: 'constructMs' | 'synthMs' | 'loadMs'): number {
  const first = results.scaling[0];
  const last = results.scaling[results.scaling.length - 1];
  const at = (p: ScalingPoint) => (phase ? p.sides[side].medianPhases[phase] : p.sides[side].medianMs);
  return (at(last) - at(first)) / (last.n - first.n);
}
