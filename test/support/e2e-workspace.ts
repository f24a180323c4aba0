import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ENVIRONMENT_ACCOUNT, MANAGEMENT_ACCOUNT, REGION } from './local-proton';

/** The environment and management stacks' environments of the end-to-end suites. */
export const ENVIRONMENT_ENV = { account: ENVIRONMENT_ACCOUNT, region: REGION };
export const MANAGEMENT_ENV = { account: MANAGEMENT_ACCOUNT, region: REGION };

/**
 * A temporary folder for one end-to-end test file, removed after it: each synth gets a fresh
 * cloud assembly directory, each deployment its own state file.
 */
export function useE2eWorkspace(prefix: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let counter = 0;
  return {
    /** Synthesizes what `build` adds to a new app (with `context`) and returns its assembly directory. */
    synth(build: (app: App) => void, context: Record<string, unknown> = {}): string {
      const outdir = path.join(tmp, `app-${++counter}`);
      const app = new App({ outdir, context });
      build(app);
      app.synth();
      return outdir;
    },
    /** A new state file path. */
    stateFile(): string {
      return path.join(tmp, `state-${++counter}.json`);
    },
  };
}
