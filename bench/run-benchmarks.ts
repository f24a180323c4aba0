/**
 * The benchmarks: `npx projen bench`. Measures the library against the aws-cdk-lib-only floor
 * side by side in one run, and writes BENCHMARKS.md and bench/synth-time.svg.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ONE_STACK_SHAPES } from './apps/app-spec';
import { findBundles, measureColdStart } from './cold-start';
import { compileApps } from './compile-apps';
import { measureLifecycle } from './lifecycle';
import { describeMachine, loadAverage } from './machine';
import { renderReport } from './report';
import { BenchResults } from './results';
import { renderChart } from './svg-plot';
import { ManagementResult, measureManagement, measureOneStack, measureScaling, OneStackResult, ScalingPoint } from './synth-bench';
import { checkTargets } from './targets';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(__dirname, 'out', 'runs');

/** N → runs per side (lower N=500 first if the bench nears ~10 minutes on a busy machine). */
const SCALING_RUNS: Array<[number, number]> = [[1, 5], [10, 5], [100, 5], [500, 5]];
const ONE_STACK_KS = [1, 2, 10];
const COLD_START_RUNS = 20;
const HANDSHAKE_RUNS = 5;

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
  // results.json from before the load average was recorded
  const load = saved.loadAverage ?? { before: [], after: [] };
  write({ ...saved, loadAverage: load, oneStack, management });
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
  fs.writeFileSync(path.join(__dirname, 'synth-time.svg'), renderChart({
    title: 'Synth time: ProtonEnvironmentLink vs aws-cdk-lib floor',
    xLabel: 'environment pairs N (log scale); library / floor under each N',
    yLabel: 'synth time, s (median, fresh node process)',
    series: [
      { label: 'aws-cdk-lib floor', color: '#7f7f7f', points: scaling.map((p) => ({ x: p.n, y: p.sides.floor.medianMs / 1000 })) },
      { label: 'this library', color: '#1f77b4', points: scaling.map((p) => ({ x: p.n, y: p.sides.library.medianMs / 1000 })) },
    ],
    xNotes: Object.fromEntries(scaling.map((p) => [p.n, `${(p.sides.library.medianMs / p.sides.floor.medianMs).toFixed(2)}×`])),
  }));
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), renderReport(results, checks));
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

  log('==> 1. synth time and template bytes, N environment pairs (floor and library interleaved)');
  const scaling: ScalingPoint[] = [];
  for (const [n, runs] of SCALING_RUNS) {
    const point = await measureScaling(apps, OUT, n, runs, log);
    scaling.push(point);
    log(`  N=${n}: floor ${(point.sides.floor.medianMs / 1000).toFixed(2)} s, library ${(point.sides.library.medianMs / 1000).toFixed(2)} s, ` +
      `ratio ${(point.sides.library.medianMs / point.sides.floor.medianMs).toFixed(2)}× (${elapsed()})`);
    fs.rmSync(path.join(OUT, `pairs-floor-${n}`), { recursive: true, force: true });
    fs.rmSync(path.join(OUT, `pairs-library-${n}`), { recursive: true, force: true });
  }

  log('==> 2. one environment stack with k connections (shared role; role per connection)');
  const oneStack = await measureAllOneStack(apps);
  for (const o of oneStack) {
    log(`  ${o.shape}: minified bytes floor ${o.compactBytes.floor.join(', ')}; library ${o.compactBytes.library.join(', ')} (${elapsed()})`);
  }

  log('==> 3. management stack with 1,000 allow-listed pairs');
  const management: ManagementResult[] = [];
  // 50 accounts: the most the acceptor's policy lists one by one (its largest policy); 1,000: one per pair
  for (const [accounts, continuous, runs] of [[100, false, 3], [100, true, 3], [50, true, 1], [1000, false, 1]] as const) {
    const m = await measureManagement(apps, OUT, 1000, accounts, continuous, runs);
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
  };
  write(results);
  log(`==> wrote BENCHMARKS.md and bench/synth-time.svg in ${elapsed()}`);
}

/** Templates are large: keep them out of results.json. */
function replacer(key: string, value: unknown): unknown {
  return key === 'template' || key === 'templates' ? undefined : value;
}

(process.argv.includes('--report-only') ? reportOnly() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
