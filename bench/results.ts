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
  readonly scaling: ScalingPoint[];
  readonly oneStack: OneStackResult;
  readonly management: ManagementResult[];
  readonly coldStarts: ColdStartResult[];
  readonly lifecycle: LifecycleResult;
}

/** fixed + marginal × k, per side. */
export function oneStackFits(result: OneStackResult): Record<Side, { intercept: number; slope: number }> {
  const fit = (side: Side) => linearFit(result.ks.map((k, i) => ({ x: k, y: result.bytes[side][i] })));
  return { floor: fit('floor'), library: fit('library') };
}

export function scalingAt(results: BenchResults, n: number): ScalingPoint {
  const point = results.scaling.find((p) => p.n === n);
  if (!point) throw new Error(`no scaling point for N=${n}`);
  return point;
}
