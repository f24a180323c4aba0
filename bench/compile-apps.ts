import * as path from 'path';
import { buildSync } from 'esbuild';

/** Where the compiled bench apps go (git-ignored). Three levels below the repository root, like
 * `lib/<folder>/handler/`, so that the library's `../../../assets/...` handler paths resolve. */
export const APPS_OUT_DIR = path.join(__dirname, 'out', 'apps');

export interface CompiledApps {
  readonly floor: string;
  readonly library: string;
  readonly peer: string;
  readonly coldStartChild: string;
}

/**
 * Compiles the benchmark apps to plain JavaScript once, so every measured process is a bare
 * `node app.js` for every side: the library's own source is bundled in, while aws-cdk-lib and
 * constructs stay external and load from node_modules exactly as they do for the floor and the peer.
 */
export function compileApps(): CompiledApps {
  const entries = { floor: 'floor-app', library: 'library-app', peer: 'peer-app', coldStartChild: 'cold-start-child' } as const;
  buildSync({
    entryPoints: Object.values(entries).map((name) => path.join(__dirname, 'apps', `${name}.ts`)),
    outdir: APPS_OUT_DIR,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  const out = (name: string) => path.join(APPS_OUT_DIR, `${name}.js`);
  return { floor: out(entries.floor), library: out(entries.library), peer: out(entries.peer), coldStartChild: out(entries.coldStartChild) };
}
