import * as fs from 'fs';
import * as path from 'path';
import { AppPhases, AppSpec, MANAGEMENT_STACK, OneStackShape, RESULT_MARKER } from './apps/app-spec';
import { CompiledApps } from './compile-apps';
import { markedJson, timeNode } from './process-timing';
import { median } from './stats';
import { StackTemplate, readTemplates, resourceCount } from './template-bytes';

export type Side = 'floor' | 'library';
export const SIDES: Side[] = ['floor', 'library'];

/** One synth in a fresh `node` process. */
export interface SynthRun {
  readonly wallMs: number;
  readonly phases: AppPhases;
  readonly templates: Map<string, StackTemplate>;
}

/** Synthesizes `spec` with one side's app in a fresh process, times it, and reads the templates back. */
export async function synthOnce(apps: CompiledApps, side: Side, spec: AppSpec): Promise<SynthRun> {
  fs.rmSync(spec.outdir, { recursive: true, force: true });
  const run = await timeNode([apps[side], JSON.stringify(spec)]);
  return { wallMs: run.wallMs, phases: markedJson<AppPhases>(run.stdout, RESULT_MARKER), templates: readTemplates(spec.outdir) };
}

export interface ScalingPoint {
  readonly n: number;
  readonly runs: number;
  /** Per side: every run's wall time, the medians, and the template sizes (deterministic). */
  readonly sides: Record<Side, {
    readonly wallMs: number[];
    readonly medianMs: number;
    readonly medianPhases: AppPhases;
    readonly totalBytes: number;
    readonly environmentStackBytes: number;
    readonly managementStackBytes: number;
    readonly resources: number;
  }>;
}

/** Section 1: N environment pairs, floor and library interleaved, `runs` times each. */
export async function measureScaling(
  apps: CompiledApps, outRoot: string, n: number, runs: number, log: (line: string) => void,
): Promise<ScalingPoint> {
  const collected: Record<Side, SynthRun[]> = { floor: [], library: [] };
  for (let r = 0; r < runs; r++) {
    // alternate which side goes first, so neither always runs on a warmer page cache
    const order = r % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const side of order) {
      const run = await synthOnce(apps, side, { mode: 'pairs', outdir: path.join(outRoot, `pairs-${side}-${n}`), n });
      collected[side].push(run);
      log(`  N=${n} run ${r + 1}/${runs} ${side.padEnd(7)} ${(run.wallMs / 1000).toFixed(2)} s`);
    }
  }
  const summarize = (side: Side) => {
    const all = collected[side];
    const last = all[all.length - 1].templates;
    const templates = [...last.values()];
    const management = last.get(MANAGEMENT_STACK);
    const environment = templates.filter((t) => t.stackId !== MANAGEMENT_STACK);
    return {
      wallMs: all.map((x) => x.wallMs),
      medianMs: median(all.map((x) => x.wallMs)),
      medianPhases: {
        loadMs: median(all.map((x) => x.phases.loadMs)),
        constructMs: median(all.map((x) => x.phases.constructMs)),
        synthMs: median(all.map((x) => x.phases.synthMs)),
      },
      totalBytes: templates.reduce((s, t) => s + t.bytes, 0),
      environmentStackBytes: environment.reduce((s, t) => s + t.bytes, 0) / environment.length,
      managementStackBytes: management?.bytes ?? 0,
      resources: templates.reduce((s, t) => s + resourceCount(t), 0),
    };
  };
  return { n, runs, sides: { floor: summarize('floor'), library: summarize('library') } };
}

export interface OneStackResult {
  readonly shape: OneStackShape;
  readonly ks: number[];
  /** Template file bytes (indented, as written) of the stack holding k connections, per side, in `ks` order. */
  readonly bytes: Record<Side, number[]>;
  /** The same templates as minified JSON (what CloudFormation receives). */
  readonly compactBytes: Record<Side, number[]>;
  readonly resources: Record<Side, number[]>;
  /** The stacks themselves (for the byte breakdown). */
  readonly templates: Record<Side, StackTemplate[]>;
}

/** Section 2: one environment stack with k connections in the given shape, each side. */
export async function measureOneStack(apps: CompiledApps, outRoot: string, ks: number[], shape: OneStackShape): Promise<OneStackResult> {
  const bytes = { floor: [] as number[], library: [] as number[] };
  const compactBytes = { floor: [] as number[], library: [] as number[] };
  const resources = { floor: [] as number[], library: [] as number[] };
  const templates = { floor: [] as StackTemplate[], library: [] as StackTemplate[] };
  for (const side of SIDES) {
    const run = await synthOnce(apps, side, { mode: 'one-stack', outdir: path.join(outRoot, `one-stack-${shape}-${side}`), ks, shape });
    for (const k of ks) {
      const t = run.templates.get(`OneStack${k}`)!;
      bytes[side].push(t.bytes);
      compactBytes[side].push(t.compactBytes);
      resources[side].push(resourceCount(t));
      templates[side].push(t);
    }
  }
  return { shape, ks, bytes, compactBytes, resources, templates };
}

export interface ManagementResult {
  readonly continuous: boolean;
  readonly pairs: number;
  readonly accounts: number;
  readonly resources: number;
  readonly bytes: number;
  readonly wallMs: number[];
  readonly medianMs: number;
  readonly template: StackTemplate;
}

/** Section 3: a management stack with `pairs` allow-listed pairs. */
export async function measureManagement(
  apps: CompiledApps, outRoot: string, pairs: number, accounts: number, continuous: boolean, runs: number,
): Promise<ManagementResult> {
  const outdir = path.join(outRoot, `management-${pairs}-${accounts}-${continuous ? 'continuous' : 'deploy-only'}`);
  const all: SynthRun[] = [];
  for (let r = 0; r < runs; r++) all.push(await synthOnce(apps, 'library', { mode: 'management', outdir, pairs, accounts, continuous }));
  const template = all[all.length - 1].templates.get(MANAGEMENT_STACK)!;
  return {
    continuous,
    pairs,
    accounts,
    resources: resourceCount(template),
    bytes: template.bytes,
    wallMs: all.map((x) => x.wallMs),
    medianMs: median(all.map((x) => x.wallMs)),
    template,
  };
}
