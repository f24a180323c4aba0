/**
 * The benchmarks: `npx projen bench`. Measures the library against the aws-cdk-lib-only floor and
 * the `AwsCustomResource` peer side by side in one run, and writes BENCHMARKS.md and
 * bench/synth-time.svg. `BENCH_QUICK=1` runs fewer runs and N and writes to bench/out/ instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ONE_STACK_SHAPES } from './apps/app-spec';
import { findBundles, measureColdStart } from './cold-start';
import { compileApps } from './compile-apps';
import { measureEventPath } from './event-path';
import { measureLifecycle } from './lifecycle';
import { describeMachine, loadAverage } from './machine';
import { readOrganizationFigures } from './organization-figures';
import { renderReport } from './report';
import { BenchResults } from './results';
import { renderChart } from './svg-plot';
import { ManagementResult, measureManagement, measureOneStack, measureScaling, OneStackResult, ScalingPoint, SIDES } from './synth-bench';
import { checkTargets } from './targets';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(__dirname, 'out', 'runs');

/** BENCH_QUICK=1: a smoke run (fewer runs and N), written to bench/out/ so the committed report is always a full run. */
const QUICK = process.env.BENCH_QUICK === '1';
/** N → runs per side (three sides; N=500 has 3 runs to keep the bench under ~9 minutes: the peer takes ~20 s there). */
const SCALING_RUNS: Array<[number, number]> = QUICK ? [[1, 1], [20, 1]] : [[1, 5], [10, 3], [100, 3], [500, 3]];
const ONE_STACK_KS = [1, 2, 10];
const COLD_START_RUNS = QUICK ? 3 : 20;
const HANDSHAKE_RUNS = QUICK ? 1 : 5;
const EVENT_PATH_RUNS = QUICK ? 2 : 5;
/** accounts, continuousAcceptance, runs: 50 accounts is the most the acceptor's policy lists one by one (its largest policy); 1,000 is one per pair. */
const MANAGEMENT_CASES: Array<[number, boolean, number]> = [[100, false, 3], [100, true, 3], [50, true, 1], [1000, false, 1]];
const REPORT_FILE = QUICK ? path.join(__dirname, 'out', 'BENCHMARKS.md') : path.join(ROOT, 'BENCHMARKS.md');
const CHART_FILE = QUICK ? path.join(__dirname, 'out', 'synth-time.svg') : path.join(__dirname, 'synth-time.svg');

const SERIES = {
  floor: { label: 'aws-cdk-lib floor', color: '#7f7f7f' },
  library: { label: 'this library', color: '#1f77b4' },
  peer: { label: 'AwsCustomResource peer', color: '#d62728' },
} as const;

/**
 * `--report-only`: re-renders BENCHMARKS.md and the SVG from bench/out/results.json (the last run's
 * measurements). The templates behind the byte breakdowns are not stored there; they are
 * deterministic, so sections 2 and 3 are synthesized once more to get them back (timings are kept).
 */
async function reportOnly(): Promise<void> {
  const saved = JSON.parse(fs.readFileSync(path.join(__dirname, 'out', 'results.json'), 'utf8')) as BenchResults;
  const apps = compileApps();
  fs.mkdirSync(OUT, { recursive: true });
  const oneStack = await measureAllOneStack(apps);
  const management: ManagementResult[] = [];
  for (const m of saved.management) {
    const again = await measureManagement(apps, OUT, m.pairs, m.accounts, m.continuous, 1);
    management.push({ ...m, template: again.template });
  }
  write({ ...saved, oneStack, management, organization: readOrganizationFigures() });
}

/** Section 2 in both shapes (template bytes only: deterministic). */
async function measureAllOneStack(apps: ReturnType<typeof compileApps>): Promise<OneStackResult[]> {
  const all: OneStackResult[] = [];
  for (const shape of ONE_STACK_SHAPES) all.push(await measureOneStack(apps, OUT, ONE_STACK_KS, shape));
  return all;
}

function write(results: BenchResults): void {
  const checks = checkTargets(results);
  const scaling = results.scaling;
  fs.writeFileSync(CHART_FILE, renderChart({
    title: 'Synth time: ProtonEnvironmentLink vs floor vs AwsCustomResource peer',
    xLabel: 'environment pairs N (log scale); library / floor under each N',
    yLabel: 'synth time, s (median, fresh node process)',
    series: SIDES.map((side) => ({ ...SERIES[side], points: scaling.map((p) => ({ x: p.n, y: p.sides[side].medianMs / 1000 })) })),
    xNotes: Object.fromEntries(scaling.map((p) => [p.n, `${(p.sides.library.medianMs / p.sides.floor.medianMs).toFixed(2)}×`])),
  }));
  fs.writeFileSync(REPORT_FILE, renderReport(results, checks));
  fs.writeFileSync(path.join(__dirname, 'out', 'results.json'), JSON.stringify({ ...results, checks }, replacer, 1));
  console.log('==> targets');
  for (const c of checks) console.log(`  ${c.pass ? 'PASS' : 'MISS'}  ${c.target}: ${c.measured}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadAverage();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const log = (line: string) => console.log(line);
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });

  log(`==> load average ${loadBefore.join(' / ')} (1 / 5 / 15 min, ${describeMachine().cores} cores)`);
  log('==> compiling the bench apps (esbuild)');
  const apps = compileApps();

  log(`==> 1. synth time and template bytes, N environment pairs (floor, library, peer interleaved)${QUICK ? ' [BENCH_QUICK]' : ''}`);
  const scaling: ScalingPoint[] = [];
  for (const [n, runs] of SCALING_RUNS) {
    const point = await measureScaling(apps, OUT, n, runs, log);
    scaling.push(point);
    log(`  N=${n}: ${SIDES.map((s) => `${s} ${(point.sides[s].medianMs / 1000).toFixed(2)} s`).join(', ')}, ` +
      `library / floor ${(point.sides.library.medianMs / point.sides.floor.medianMs).toFixed(2)}× (${elapsed()})`);
    for (const side of SIDES) fs.rmSync(path.join(OUT, `pairs-${side}-${n}`), { recursive: true, force: true });
  }

  log('==> 2. one environment stack with k connections (shared role; role per connection)');
  const oneStack = await measureAllOneStack(apps);
  for (const o of oneStack) {
    log(`  ${o.shape}: minified bytes ${Object.entries(o.compactBytes).map(([side, b]) => `${side} ${b.join(', ')}`).join('; ')} (${elapsed()})`);
  }

  log('==> 3. management stack with 1,000 allow-listed pairs');
  const management: ManagementResult[] = [];
  for (const [accounts, continuous, runs] of MANAGEMENT_CASES) {
    const m = await measureManagement(apps, OUT, 1000, accounts, continuous, QUICK ? 1 : runs);
    management.push(m);
    log(`  ${accounts} accounts, continuous ${continuous}: ${m.resources} resources, ${m.bytes} bytes, ${(m.medianMs / 1000).toFixed(2)} s (${elapsed()})`);
  }

  log('==> 4. handler bundles and cold start');
  const coldStarts = [];
  for (const bundle of findBundles(path.join(ROOT, 'assets'))) {
    const c = await measureColdStart(bundle, apps.coldStartChild, COLD_START_RUNS);
    coldStarts.push(c);
    log(`  ${bundle.name}: ${bundle.bytes} bytes, spawn -> response ${c.spawnToResponseMs.toFixed(0)} ms (require ${c.requireMs.toFixed(0)} ms, handle ${c.handleMs.toFixed(0)} ms)`);
  }

  log('==> 5. Proton API calls per lifecycle, and request filed -> CONNECTED');
  const lifecycle = await measureLifecycle(apps, OUT, HANDSHAKE_RUNS, log);
  log(`  total ${lifecycle.total} calls (${elapsed()})`);
  log('==> 5. event path of continuous acceptance: request filed -> CONNECTED');
  const eventPath = await measureEventPath(apps, OUT, EVENT_PATH_RUNS, log);
  log(`  median ${eventPath.medianMs.toFixed(0)} ms (${elapsed()})`);

  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: describeMachine(),
    wallMs: Date.now() - started,
    loadAverage: { before: loadBefore, after: loadAverage() },
    scaling,
    oneStack,
    management,
    coldStarts,
    lifecycle,
    eventPath,
    organization: readOrganizationFigures(),
    quick: QUICK,
  };
  write(results);
  log(`==> wrote ${path.relative(ROOT, REPORT_FILE)} and ${path.relative(ROOT, CHART_FILE)} in ${elapsed()}`);
}

/** Templates are large: keep them out of results.json. */
function replacer(key: string, value: unknown): unknown {
  return key === 'template' || key === 'templates' ? undefined : value;
}

(process.argv.includes('--report-only') ? reportOnly() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
