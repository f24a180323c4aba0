/**
 * Where a synth spends its CPU: runs one bench app under `node --cpu-prof` and prints self time
 * by source file and by function. Not part of `npx projen bench` (profiling slows the run); run
 * it by hand to explain a missed synth target:
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/profile-synth.ts library 100
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { compileApps } from './compile-apps';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per key, from the profile's samples. */
export function selfTime(profile: CpuProfile, keyOf: (node: ProfileNode) => string): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const key = keyOf(byId.get(id)!);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

function fileKey(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (!url) return `(${node.callFrame.functionName || 'native'})`;
  const m = url.match(/node_modules\/(aws-cdk-lib\/[^/]+(?:\/lib)?\/[^/]+|[^/]+)/);
  return m ? m[1] : url.replace(/^file:\/\//, '').replace(process.cwd(), '.');
}

function main(): void {
  const [side = 'library', n = '100'] = process.argv.slice(2);
  const apps = compileApps();
  const dir = path.join(__dirname, 'out', 'profile');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const spec = { mode: 'pairs', outdir: path.join(dir, 'cdk.out'), n: Number(n) };
  const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, apps[side as 'floor' | 'library'], JSON.stringify(spec)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  const total = profile.timeDeltas.reduce((s, d) => s + d, 0) / 1000;
  console.log(`${side} N=${n}: ${total.toFixed(0)} ms sampled`);
  console.log('self time by file:');
  for (const [key, ms] of selfTime(profile, fileKey).slice(0, 20)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${(100 * ms / total).toFixed(1).padStart(5)} %  ${key}`);
  console.log('self time by function:');
  const fn = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${fileKey(node)}:${node.callFrame.lineNumber}`;
  for (const [key, ms] of selfTime(profile, fn).slice(0, 20)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${(100 * ms / total).toFixed(1).padStart(5)} %  ${key}`);
}

main();
