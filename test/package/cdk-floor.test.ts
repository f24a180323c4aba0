/**
 * The library's declared floor (the aws-cdk-lib peer dependency's minimum, which the Python, Java and
 * Go packages inherit) is real: the library's sources type-check against exactly that aws-cdk-lib
 * release, installed from the npm registry (or its cache) into a temporary folder. The Java app test
 * runs the library on it (Maven Central's newest release here is the floor).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-floor-'));

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function floorOf(range: string): string {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!match) throw new Error(`peer dependency range ${range} is not a caret range`);
  return match[1];
}

test('the sources type-check against the aws-cdk-lib floor the peer dependency declares', () => {
  const floor = floorOf(manifest.peerDependencies['aws-cdk-lib']);
  const constructs = floorOf(manifest.peerDependencies.constructs);
  expect(floor).not.toBe(manifest.devDependencies['aws-cdk-lib']); // otherwise the suite itself covers it
  fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'floor', private: true }));
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `aws-cdk-lib@${floor}`, `constructs@${constructs}`],
    { cwd: tmp, encoding: 'utf8', timeout: 600_000 });
  if (install.status !== 0) throw new Error(`npm install aws-cdk-lib@${floor} failed:\n${install.stdout}\n${install.stderr}`);
  expect(JSON.parse(fs.readFileSync(path.join(tmp, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version).toBe(floor);

  const modules = path.join(tmp, 'node_modules');
  fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify({
    extends: path.join(ROOT, 'tsconfig.dev.json'),
    compilerOptions: {
      noEmit: true,
      rootDir: ROOT,
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      paths: {
        'aws-cdk-lib': [path.join(modules, 'aws-cdk-lib')],
        'aws-cdk-lib/*': [path.join(modules, 'aws-cdk-lib', '*')],
        'constructs': [path.join(modules, 'constructs')],
      },
    },
    include: [path.join(ROOT, 'src', '**', '*.ts')],
  }));
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(tmp, 'tsconfig.json'), '--listFiles'],
    { cwd: tmp, encoding: 'utf8', timeout: 300_000 });
  const diagnostics = tsc.stdout.split('\n').filter((line) => !line.startsWith('/')).join('\n');
  expect(diagnostics.trim()).toBe('');
  expect(tsc.status).toBe(0);
  // the floor's declarations were the ones checked, not the development release's
  expect(tsc.stdout).toContain(path.join(modules, 'aws-cdk-lib', 'core', 'lib', 'stack.d.ts'));
  expect(tsc.stdout).not.toContain(path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'core', 'lib', 'stack.d.ts'));
}, 900_000);
