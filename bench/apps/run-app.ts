import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import { AppPhases, AppSpec, RESULT_MARKER } from './app-spec';

/**
 * Runs one benchmark app: reads the spec from argv, builds the stacks with `build`, synthesizes,
 * and prints the phase timings. Both the floor and the library app go through here.
 */
export function runApp(build: (app: App, spec: AppSpec) => void): void {
  const loadMs = performance.now();
  const spec = JSON.parse(process.argv[2]) as AppSpec;
  const app = new App({ outdir: spec.outdir });
  build(app, spec);
  const built = performance.now();
  app.synth();
  const done = performance.now();
  const phases: AppPhases = { loadMs, constructMs: built - loadMs, synthMs: done - built };
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(phases)}\n`);
}
