/**
 * The Python package as a Python platform team uses it: a new virtual environment, `pip install`
 * of the wheel jsii-pacmak wrote under dist/python and of examples/python-app/requirements.txt
 * (aws-cdk-lib from PyPI), the CDK CLI synthesizing examples/python-app/app.py, its templates
 * equal to the TypeScript example's for the same context, and its handshake run by the
 * `cdk-proton-local` script the wheel installs; and the README's Python quick start, run as written.
 * Needs PyPI (or pip's cache) and `npx projen packages`.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const WHEELS = path.join(ROOT, 'dist', 'python');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'python-app-'));
const venv = path.join(tmp, 'venv');
const venvBin = path.join(venv, 'bin');

const ENV = {
  ...process.env,
  PATH: `${venvBin}${path.delimiter}${process.env.PATH}`,
  VIRTUAL_ENV: venv,
  CDK_DISABLE_CLI_TELEMETRY: '1',
  CDK_DISABLE_VERSION_CHECK: '1',
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
};

function run(command: string, args: string[], timeout = 300_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout, env: ENV });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** A different value for every context key the two apps read. */
const CUSTOM_CONTEXT = {
  environmentAccount: '444455556666',
  managementAccount: '777788889999',
  region: 'eu-west-1',
  environmentName: 'staging-eu',
  protonRoleName: 'platform-proton-staging',
};

function synth(app: 'python' | 'typescript', outdir: string, context: Record<string, string> = {}): void {
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  // the Python app runs from the repository root, so both read the same cdk.json (feature flags)
  const appArgs = app === 'python' ? ['--app', `${path.join(venvBin, 'python')} examples/python-app/app.py`] : [];
  run(CDK, ['synth', '--quiet', ...appArgs, ...contextArgs, '-o', outdir], 600_000);
}

/** A template without what differs by design: asset hashes and the CDK metadata, which names the app's language. */
function comparable(outdir: string, stack: string): unknown {
  const template = JSON.parse(fs.readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8'));
  delete template.Resources?.CDKMetadata;
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset hash>'));
}

beforeAll(() => {
  const wheel = fs.existsSync(WHEELS) ? fs.readdirSync(WHEELS).find((file) => file.endsWith('.whl')) : undefined;
  if (!wheel) throw new Error(`no wheel under ${WHEELS}: run \`npx projen packages\` (or \`npx projen package:python\`) first`);
  run('python3', ['-m', 'venv', venv]);
  run(path.join(venvBin, 'python'), ['-m', 'pip', 'install', '--quiet', path.join(WHEELS, wheel), '-r', 'examples/python-app/requirements.txt'], 900_000);
}, 900_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the wheel installs with the aws-cdk-lib PyPI serves and its requirements are consistent', () => {
  run(path.join(venvBin, 'python'), ['-m', 'pip', 'check']);
  const versions = run(path.join(venvBin, 'python'), ['-c',
    'import importlib.metadata as m; print(m.version("cdk-proton-account-connections"), m.version("aws-cdk-lib"))']).stdout.trim();
  expect(versions).toBe('0.0.0 2.275.0');
  // Python names: snake_case props and methods, the construct classes at the top of the module
  const names = run(path.join(venvBin, 'python'), ['-c', [
    'import inspect, cdk_proton_account_connections as m',
    'params = inspect.signature(m.ProtonEnvironmentLink.__init__).parameters',
    'print(all(name in params for name in ("acceptor", "environment_name", "provisioning_permissions", "wait_for_acceptance", "removal_policy")))',
    'print(hasattr(m.ProvisioningPermissions, "from_services"), hasattr(m.EnvironmentAccountConnectionAcceptor, "add_expected_connection"))',
  ].join('; ')]).stdout.trim().split('\n');
  expect(names[0]).toBe('True');
  expect(names[1]).toBe('True True');
}, 120_000);

describe.each([
  ['the default context', {}],
  ['a context setting every key', CUSTOM_CONTEXT],
])('with %s, the Python app synthesizes the same two templates as the TypeScript example', (_name, context) => {
  const pythonOut = path.join(tmp, `python-${Object.keys(context).length}.out`);
  const typescriptOut = path.join(tmp, `typescript-${Object.keys(context).length}.out`);

  test('templates equal, asset hashes and the language-specific CDK metadata aside', () => {
    synth('python', pythonOut, context);
    synth('typescript', typescriptOut, context);
    for (const stack of ['EnvironmentAccountStack', 'ManagementAccountStack']) {
      expect(comparable(pythonOut, stack)).toEqual(comparable(typescriptOut, stack));
    }
    const environment = JSON.parse(fs.readFileSync(path.join(pythonOut, 'EnvironmentAccountStack.template.json'), 'utf8'));
    const connection = Object.values<{ Type: string; Properties: Record<string, unknown> }>(environment.Resources)
      .find((resource) => resource.Type === 'Custom::ProtonEnvironmentAccountConnection');
    expect(connection?.Properties).toMatchObject({
      EnvironmentName: (context as Record<string, string>).environmentName ?? 'dev',
      ManagementAccountId: (context as Record<string, string>).managementAccount ?? '111111111111',
    });
  }, 900_000);
});

test('the wheel\'s cdk-proton-local runs the Python app\'s handshake on the local endpoint: CONNECTED, nothing left', () => {
  const out = path.join(tmp, 'python-0.out');
  if (!fs.existsSync(path.join(out, 'manifest.json'))) synth('python', out);
  const result = run(path.join(venvBin, 'cdk-proton-local'), ['handshake', '--app', out], 300_000);
  expect(result.stdout).toMatch(/EnvironmentAccountStack \| CREATE_COMPLETE \| Custom::ProtonEnvironmentAccountConnection/);
  expect(result.stdout).toContain('connections left on the endpoint: 0');
  expect(result.stdout).toMatch(/==> done: 1 connection\(s\) CONNECTED and cleaned up/);
}, 600_000);

test('the README\'s Python quick start runs as written and synthesizes both stacks', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'));
  const block = /```python\n([\s\S]*?)```/.exec(quickStart)?.[1];
  if (!block) throw new Error('README.md has no ```python block in its Quick start');
  const script = path.join(tmp, 'quick_start.py');
  fs.writeFileSync(script, block);
  const outdir = path.join(tmp, 'quick-start.out');
  const result = spawnSync(path.join(venvBin, 'python'), [script], { cwd: tmp, encoding: 'utf8', timeout: 300_000, env: { ...ENV, CDK_OUTDIR: outdir } });
  if (result.status !== 0) throw new Error(`the README's Python quick start failed:\n${result.stdout}\n${result.stderr}`);
  const workloads = JSON.parse(fs.readFileSync(path.join(outdir, 'ProtonWorkloads.template.json'), 'utf8'));
  const management = JSON.parse(fs.readFileSync(path.join(outdir, 'ProtonManagement.template.json'), 'utf8'));
  const types = (template: { Resources: Record<string, { Type: string }> }) => Object.values(template.Resources).map((resource) => resource.Type);
  expect(types(workloads)).toContain('Custom::ProtonEnvironmentAccountConnection');
  expect(types(management)).toContain('Custom::ProtonConnectionAcceptance');
}, 300_000);
