/**
 * The package as a user gets it: the npm tarball (packed as `npx projen package:js` packs it), its
 * file list, and installed from the registry-like tarball into a new CDK app in a temporary
 * folder (aws-cdk-lib, constructs and the CDK CLI from the registry): the app synthesizes,
 * `cdk-proton-local handshake` connects it, a jest test of the app uses the test API, and an ESM
 * TypeScript set-up type-checks both entry points. Needs the npm registry (or its cache).
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const APP_SOURCES = path.join(__dirname, 'consumer-app');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
const app = path.join(tmp, 'app');
let tarball = '';

/** Versions a user would install beside the package: the peer dependencies and the CLI this repository pins. */
function pinned(name: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const version = manifest.devDependencies[name] as string;
  return `${name}@${version}`;
}

function run(command: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1', CDK_DISABLE_VERSION_CHECK: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

beforeAll(() => {
  // what the working tree may hold besides the sources must never reach the package
  fs.mkdirSync(path.join(ROOT, '.local-deploy'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.local-deploy', 'consumer-test-leftover.json'), '{}');
  // npm pack of the compiled tree, as the package task (jsii-pacmak's js target) packs it; the
  // test command compiles first (`npx projen packages`), so nothing is rebuilt under other tests
  if (!fs.existsSync(path.join(ROOT, 'lib', 'local-tools', 'local', 'bin', 'cdk-proton-local.js'))) {
    throw new Error('the library is not compiled: run `npx projen packages` (or `npx projen tarball`) first');
  }
  const out = path.join(tmp, 'pack');
  fs.mkdirSync(out);
  run('npm', ['pack', '--silent', '--pack-destination', out], ROOT);
  fs.rmSync(path.join(ROOT, '.local-deploy', 'consumer-test-leftover.json'));
  tarball = path.join(out, fs.readdirSync(out).find((file) => file.endsWith('.tgz'))!);

  fs.mkdirSync(app);
  for (const file of fs.readdirSync(APP_SOURCES)) fs.copyFileSync(path.join(APP_SOURCES, file), path.join(app, file));
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'platform-app', private: true, version: '1.0.0' }));
  fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: 'node app.js', notices: false, context: { 'cli-telemetry': false } }));
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, rootDir: '.', outDir: '.', skipLibCheck: true, types: ['node'] },
    files: ['app.ts', 'org-app.ts'],
  }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, pinned('aws-cdk-lib'), pinned('constructs'), pinned('aws-cdk'),
    pinned('typescript'), 'jest@^30', '@types/node@^20'], app, 600_000);
  run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], app);
}, 900_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the tarball holds only what users need: compiled library, handler assets, compiled tools, README, API.md, LICENSE, docs', () => {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((file) => file.replace(/^package\//, '')).sort();
  const allowed = /^(package\.json|README\.md|LICENSE|API\.md|\.jsii|docs\/.+\.md|assets\/.+\/index\.js|lib\/.+\.(js|d\.ts))$/;
  expect(files.filter((file) => !allowed.test(file))).toEqual([]);
  for (const required of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'API.md', 'README.md', 'LICENSE',
    'assets/connection/handler/connection-handler.lambda/index.js', 'assets/acceptor/handler/acceptor-handler.lambda/index.js',
    'lib/local-tools/local/bin/cdk-proton-local.js', 'lib/local-tools/local/index.js', 'lib/local-tools/local/index.d.ts',
    'lib/local-tools/local/deployer/offline-network-guard.js']) {
    expect(files).toContain(required);
  }
  expect(files.filter((file) => /(^|\/)(test|bench|examples|cdk\.out|\.local-deploy|\.ci)\//.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts')))).toEqual([]);
  // the bin is packed executable: the Python wheel's cdk-proton-local runs it with the packed mode
  const bin = execFileSync('tar', ['-tvzf', tarball, 'package/lib/local-tools/local/bin/cdk-proton-local.js'], { encoding: 'utf8' });
  expect(bin).toMatch(/^-rwxr-xr-x /);
  process.stdout.write(`[package] ${files.length} files, ${fs.statSync(tarball).size} bytes packed\n`);
});

test('a user\'s two-account app synthesizes against the package and cdk-proton-local handshake connects it, leaving nothing', () => {
  run(path.join(app, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet'], app);
  expect(fs.readdirSync(path.join(app, 'cdk.out')).filter((file) => file.endsWith('.template.json')).sort())
    .toEqual(['PlatformManagement.template.json', 'PlatformWorkloads.template.json']);
  const help = run(path.join(app, 'node_modules', '.bin', 'cdk-proton-local'), ['handshake', '--help'], app);
  expect(help.stdout).toMatch(/^usage: cdk-proton-local handshake \[--app cdk\.out\]/);
  const handshake = run(path.join(app, 'node_modules', '.bin', 'cdk-proton-local'), ['handshake', '--app', 'cdk.out'], app);
  expect(handshake.stdout).toMatch(/CONNECTED {2}environment "dev" {2}222222222222 -> 111111111111 {2}eu-west-1/);
  expect(handshake.stdout).toMatch(/CONNECTED: 1 of 1 connection\(s\)/);
  expect(handshake.stdout).toMatch(/connections left on the endpoint: 0/);
}, 300_000);

test('a jest test in the user\'s app deploys it with the test API and sees CONNECTED', () => {
  run(path.join(app, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet'], app);
  const result = run(path.join(app, 'node_modules', '.bin', 'jest'), ['--ci', 'handshake.test.js'], app);
  expect(`${result.stdout}${result.stderr}`).toMatch(/Tests: {7}1 passed, 1 total/);
}, 300_000);

test('a user\'s organization app: the StackSet template is no stack, its code goes to each Region\'s bucket; its jest test rolls it out to an OU and accepts by OU', () => {
  run(path.join(app, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--app', 'node org-app.js', '--output', 'cdk.out.org'], app);
  const list = run(path.join(app, 'node_modules', '.bin', 'cdk'), ['ls', '--app', 'cdk.out.org'], app);
  expect(list.stdout.trim().split('\n').sort()).toEqual(['Environments', 'Management', 'StackSetCode']);
  const manifest = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out.org', 'manifest.json'), 'utf8'));
  const templateAssets = Object.keys(manifest.artifacts).find((id) => id.startsWith('EnvironmentsEnvironmentSideTemplate') && id.endsWith('.assets'))!;
  expect(manifest.artifacts.Environments.dependencies).toContain(templateAssets);
  const assets = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out.org', manifest.artifacts[templateAssets].properties.file), 'utf8'));
  expect(Object.values(assets.files).map((f: any) => Object.values(f.destinations).map((d: any) => d.bucketName))).toEqual([['platform-proton-code-eu-west-1']]);
  const result = run(path.join(app, 'node_modules', '.bin', 'jest'), ['--ci', 'organization.test.js'], app);
  expect(`${result.stdout}${result.stderr}`).toMatch(/Tests: {7}1 passed, 1 total/);
}, 300_000);

test('the test API imports in an ESM TypeScript set-up (nodenext) and at run time as an ES module', () => {
  fs.writeFileSync(path.join(app, 'tsconfig.esm.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', strict: true, noEmit: true, rootDir: '.', skipLibCheck: true, types: ['node'] },
    files: ['esm-check.mts'],
  }));
  run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.esm.json'], app);
  const esm = run(process.execPath, ['--input-type=module', '-e',
    "const local = await import('cdk-proton-account-connections/local'); const lib = await import('cdk-proton-account-connections');"
    + ' console.log(typeof local.startLocalProton, typeof local.LocalDeployer, typeof local.runHandshake, typeof lib.ProtonEnvironmentLink);'], app);
  expect(esm.stdout.trim()).toBe('function function function function');
}, 120_000);
