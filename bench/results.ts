import { OneStackShape } from './apps/app-spec';
import { ColdStartResult } from './cold-start';
import { LifecycleResult } from './lifecycle';
import { Machine } from './machine';
import { linearFit } from './stats';
import { ManagementResult, OneStackResult, ScalingPoint, Side } from './synth-bench';

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
}

/** Which bytes: minified JSON (what CloudFormation receives) or the indented file as written. */
export type ByteMeasure = 'compact' | 'file';

/** fixed + marginal × k, per side. */
export function oneStackFits(result: OneStackResult, measure: ByteMeasure): Record<Side, { intercept: number; slope: number }> {
  const series = measure === 'compact' ? result.compactBytes : result.bytes;
  const fit = (side: Side) => linearFit(result.ks.map((k, i) => ({ x: k, y: series[side][i] })));
  return { floor: fit('floor'), library: fit('library') };
}

export function oneStackOf(results: BenchResults, shape: OneStackShape): OneStackResult {
  const found = results.oneStack.find((o) => o.shape === shape);
  if (!found) throw new Error(`no one-stack result for ${shape}`);
  return found;
}

export function scalingAt(results: BenchResults, n: number): ScalingPoint {
  const point = results.scaling.find((p) => p.n === n);
  if (!point) throw new Error(`no scaling point for N=${n}`);
  return point;
}
