import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** `npx cdk synth` and `npx cdk ls` work with no credentials and make no network call. */
const ROOT = path.join(__dirname, '..', '..');

function cdk(args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cli-'));
  const attempts = path.join(dir, 'network-attempts.log');
  const env: Record<string, string> = {
    PATH: process.env.PATH!,
    HOME: dir,
    CDK_DISABLE_CLI_TELEMETRY: '1',
    CDK_DISABLE_VERSION_CHECK: '1',
    NETWORK_ATTEMPTS_FILE: attempts,
    NODE_OPTIONS: `--require ${path.join(ROOT, 'test', 'support', 'no-network-preload.js')}`,
  };
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), [...args, '--output', path.join(dir, 'cdk.out')], {
    cwd: ROOT, env, encoding: 'utf8', timeout: 120_000,
  });
  const network = fs.existsSync(attempts) ? fs.readFileSync(attempts, 'utf8') : '';
  return { ...result, network, outdir: path.join(dir, 'cdk.out') };
}

test('cdk ls lists both stacks offline, with no credentials and no network call', () => {
  const result = cdk(['ls']);
  expect(result.stderr).not.toMatch(/Error/);
  expect(result.status).toBe(0);
  expect(result.stdout.trim().split('\n').sort()).toEqual(['EnvironmentAccountStack', 'ManagementAccountStack']);
  expect(result.network).toBe('');
}, 120_000);

test('cdk synth writes both templates offline, with no network call', () => {
  const result = cdk(['synth', '--quiet', '-c', 'environmentAccount=333333333333', '-c', 'environmentName=qa']);
  expect(result.status).toBe(0);
  expect(result.network).toBe('');
  const management = JSON.parse(fs.readFileSync(path.join(result.outdir, 'ManagementAccountStack.template.json'), 'utf8'));
  expect(JSON.stringify(management)).toContain('"333333333333/qa"');
  expect(fs.existsSync(path.join(result.outdir, 'EnvironmentAccountStack.template.json'))).toBe(true);
}, 120_000);

test('Regions that differ fail cdk synth with the reason', () => {
  const result = cdk(['synth', '--quiet', '-c', 'managementRegion=eu-west-1']);
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/AWS Proton shows a connection request only to a management account in the same Region/);
}, 120_000);
