import { ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { credentialsForAccount } from '../../local/local-credentials';
import { LocalOrganizationsClient } from '../../local/organizations';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'local/bin/cdk-proton-local.ts')];
const EXAMPLE = path.join(ROOT, 'local/organizations/example-organization.json');
const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

/** Starts `cdk-proton-local endpoint <args>`; resolves with its URL and the stderr line about the organization. */
function startEndpoint(args: string[]): Promise<{ url: string; stderr: () => string }> {
  child = spawn(process.execPath, [...CLI, 'endpoint', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const match = /local-proton listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve({ url: match[1], stderr: () => stderr });
    });
    child!.once('exit', (code) => reject(new Error(`the endpoint exited (${String(code)}): ${stderr}`)));
  });
}

test('cdk-proton-local endpoint --organization serves the organization on the same URL as Proton', async () => {
  const { url, stderr } = await startEndpoint(['--organization', EXAMPLE, '--quiet']);
  const org = new LocalOrganizationsClient({ endpoint: url, credentials: credentialsForAccount('111111111111') });
  const children = await org.send<{ Children: Array<{ Id: string }> }>('ListChildren', { ParentId: 'r-ex12', ChildType: 'ORGANIZATIONAL_UNIT' });
  expect(children.Children.map((c) => c.Id)).toEqual(['ou-ex12-workload', 'ou-ex12-security']);
  expect(stderr()).toContain(`local-proton: serving AWS Organizations on ${url}: o-exampleorg1 (management account 111111111111, 8 accounts, 5 organizational units)`);
  const state = await fetch(`${url}/_local/organizations`).then((r) => r.json() as Promise<{ rootId: string }>);
  expect(state.rootId).toBe('r-ex12');
}, 30_000);

test('--organizations-throttling-rate 1 throttles every Organizations call', async () => {
  const { url } = await startEndpoint(['--organization', EXAMPLE, '--organizations-throttling-rate', '1', '--quiet']);
  const org = new LocalOrganizationsClient({ endpoint: url, credentials: credentialsForAccount('111111111111') });
  await expect(org.send('ListRoots')).rejects.toMatchObject({ name: 'TooManyRequestsException', status: 429 });
}, 30_000);

test('without --organization every Organizations call answers AWSOrganizationsNotInUseException', async () => {
  const { url } = await startEndpoint(['--quiet']);
  const org = new LocalOrganizationsClient({ endpoint: url, credentials: credentialsForAccount('111111111111') });
  await expect(org.send('DescribeOrganization')).rejects.toMatchObject({ name: 'AWSOrganizationsNotInUseException', status: 404 });
}, 30_000);

test('a bad --organization file exits 2 naming the file and the field; --help lists the flag', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'org-cli-'));
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ managementAccountId: '111111111111', accounts: [{ id: '222222222222', parent: 'ou-ab12-nothere1' }] }));
  const run = (args: string[]) => spawnSync(process.execPath, [...CLI, 'endpoint', ...args], { env, encoding: 'utf8' });
  const invalid = run(['--organization', bad]);
  expect(invalid.status).toBe(2);
  expect(invalid.stderr).toContain(`cdk-proton-local endpoint: --organization ${bad}: invalid organization document:\n  - accounts[0].parent: "ou-ab12-nothere1" names neither the root`);
  expect(run(['--organization', path.join(dir, 'missing.json')])).toMatchObject({ status: 2, stderr: expect.stringContaining('ENOENT') });
  const help = run(['--help']);
  expect(help.stdout).toMatch(/--organization FILE\s+also serve AWS Organizations' read operations/);
}, 30_000);
