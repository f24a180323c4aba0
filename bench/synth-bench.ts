import * as fs from 'fs';
import * as path from 'path';
import { AppPhases, AppSpec, MANAGEMENT_STACK, OneStackShape, RESULT_MARKER, isManagementStack } from './apps/app-spec';
import { CompiledApps } from './compile-apps';
import { markedJson, timeNode } from './process-timing';
import { median } from './stats';
import { StackTemplate, readTemplates, resourceCount } from './template-bytes';

/** The sides of the scaling comparison: the aws-cdk-lib floor, this library, the `AwsCustomResource` peer. */
export type Side = 'floor' | 'library' | 'peer';
export const SIDES: Side[] = ['floor', 'library', 'peer'];
/** Section 2 adds the floor whose role carries the confused-deputy trust conditions. */
export type OneStackSide = Side | 'guardedFloor';
export const ONE_STACK_SIDES: OneStackSide[] = ['floor', 'guardedFloor', 'library', 'peer'];
export const SIDE_LABELS: Record<OneStackSide, string> = {
  floor: 'floor',
  guardedFloor: 'floor, guarded role',
  library: 'library',
  peer: 'AwsCustomResource peer',
};

/** One synth in a fresh `node` process. */
export interface SynthRun {
  readonly wallMs: number;
  readonly phases: AppPhases;
  readonly templates: Map<string, StackTemplate>;
}

/** Synthesizes `spec` with one side's app in a fresh process, times it, and reads the templates back. */
export async function synthOnce(apps: CompiledApps, side: OneStackSide, spec: AppSpec): Promise<SynthRun> {
  fs.rmSync(spec.outdir, { recursive: true, force: true });
  const app = side === 'guardedFloor' ? apps.floor : apps[side];
  const run = await timeNode([app, JSON.stringify(side === 'guardedFloor' ? { ...spec, guarded: true } : spec)]);
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
    /** All management stacks together (the peer needs one per 225 pairs). */
    readonly managementStackBytes: number;
    readonly managementStacks: number;
    readonly resources: number;
    /** The most resources of one environment stack. */
    readonly environmentStackResources: number;
    /** Resource types of the first environment stack, with their counts. */
    readonly environmentStackTypes: Record<string, number>;
  }>;
}

/** Section 1: N environment pairs, the three sides interleaved, `runs` times each. */
export async function measureScaling(
  apps: CompiledApps, outRoot: string, n: number, runs: number, log: (line: string) => void,
): Promise<ScalingPoint> {
  const collected: Record<Side, SynthRun[]> = { floor: [], library: [], peer: [] };
  for (let r = 0; r < runs; r++) {
    // rotate which side goes first, so none always runs on a warmer page cache
    const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length]);
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
    const management = templates.filter((t) => isManagementStack(t.stackId));
    const environment = templates.filter((t) => !isManagementStack(t.stackId));
    const types: Record<string, number> = {};
    for (const resource of Object.values(environment[0].template.Resources ?? {})) types[resource.Type] = (types[resource.Type] ?? 0) + 1;
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
      managementStackBytes: management.reduce((s, t) => s + t.bytes, 0),
      managementStacks: management.length,
      resources: templates.reduce((s, t) => s + resourceCount(t), 0),
      environmentStackResources: Math.max(...environment.map(resourceCount)),
      environmentStackTypes: types,
    };
  };
  return { n, runs, sides: { floor: summarize('floor'), library: summarize('library'), peer: summarize('peer') } };
}

export interface OneStackResult {
  readonly shape: OneStackShape;
  readonly ks: number[];
  /** Template file bytes (indented, as written) of the stack holding k connections, per side, in `ks` order. */
  readonly bytes: Record<OneStackSide, number[]>;
  /** The same templates as minified JSON (their content, independent of formatting). */
  readonly compactBytes: Record<OneStackSide, number[]>;
  readonly resources: Record<OneStackSide, number[]>;
  /** The stacks themselves (for the byte breakdown). */
  readonly templates: Record<OneStackSide, StackTemplate[]>;
}

function perSide<T>(make: () => T): Record<OneStackSide, T> {
  return Object.fromEntries(ONE_STACK_SIDES.map((side) => [side, make()])) as Record<OneStackSide, T>;
}

/** Section 2: one environment stack with k connections in the given shape, each side. */
export async function measureOneStack(apps: CompiledApps, outRoot: string, ks: number[], shape: OneStackShape): Promise<OneStackResult> {
  const bytes = perSide<number[]>(() => []);
  const compactBytes = perSide<number[]>(() => []);
  const resources = perSide<number[]>(() => []);
  const templates = perSide<StackTemplate[]>(() => []);
  for (const side of ONE_STACK_SIDES) {
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
