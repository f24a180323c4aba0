import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The examples run from the library's TypeScript sources, whose Lambda handlers are bundled into
 * `assets/` by `npx projen bundle` (the published package ships them bundled). A fresh clone has
 * no `assets/` yet: bundle them once, so that `npx cdk synth` works right after `npm ci`.
 */
const ROOT = path.join(__dirname, '..');
const BUNDLES = [
  'assets/connection/handler/connection-handler.lambda/index.js',
  'assets/acceptor/handler/acceptor-handler.lambda/index.js',
];

export function ensureHandlersBundled(): void {
  if (BUNDLES.every((bundle) => fs.existsSync(path.join(ROOT, bundle)))) return;
  process.stderr.write('bundling the Lambda handlers into assets/ (first synth of this clone): npx projen bundle\n');
  // stdout of the app is the CLI's: the bundler's output goes to stderr
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'projen'), ['bundle'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}
