import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildMultiEnvironmentApp } from '../../examples/multi-environment-app/multi-environment-app';
import { PLATFORM } from '../../examples/multi-environment-app/platform-config';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';
import { LocalDeployer } from '../../local/deployer';
import { useLocalProton } from '../support/local-proton';

/**
 * End to end: the synthesized example apps, their bundled handlers run by the local deployer
 * in CloudFormation's order, against the local Proton endpoint.
 */
const endpoint = useLocalProton();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function synth(name: string, build: (app: App) => void, context: Record<string, string> = {}): string {
  const outdir = path.join(tmp, name);
  const app = new App({ outdir, context });
  build(app);
  app.synth();
  return outdir;
}

const twoAccount = synth('two-account', buildTwoAccountApp);
const twoAccountRenamedRole = synth('two-account-v2', buildTwoAccountApp, { protonRoleName: 'proton-dev-v2' });
const multiEnvironment = synth('multi', (app) => buildMultiEnvironmentApp(app, PLATFORM));

function deployer(assemblyDir: string, stateFile: string, lines: string[] = []) {
  return new LocalDeployer({
    assemblyDir,
    stateFile,
    environment: { AWS_ENDPOINT_URL_PROTON: endpoint().url },
    log: (line) => lines.push(line),
  });
}

function connections() {
  return endpoint().admin.dump().connections;
}

test('deploy -> CONNECTED; role change -> same connection, still CONNECTED, new role; destroy -> no connection left', async () => {
  const state = path.join(tmp, 'state-lifecycle.json');
  const lines: string[] = [];
  const first = await deployer(twoAccount, state, lines).deploy();
  const [connection] = connections();
  expect(connections()).toHaveLength(1);
  expect(connection).toMatchObject({ status: 'CONNECTED', environmentName: 'dev', environmentAccountId: '222222222222', managementAccountId: '111111111111' });
  expect(first.stacks.EnvironmentAccountStack.outputs.ConnectionId).toBe(connection.id);
  expect(first.stacks.ManagementAccountStack.outputs.AcceptedConnectionId).toBe(connection.id);
  expect(lines.join('\n')).toMatch(/EnvironmentAccountStack \| CREATE_COMPLETE \| Custom::ProtonEnvironmentAccountConnection .*Status=PENDING/);

  const second = await deployer(twoAccountRenamedRole, state, lines).deploy();
  expect(connections()).toEqual([expect.objectContaining({ id: connection.id, status: 'CONNECTED', roleArn: 'arn:aws:iam::222222222222:role/proton-dev-v2' })]);
  expect(second.stacks.EnvironmentAccountStack.outputs.ProtonRoleArn).toBe('arn:aws:iam::222222222222:role/proton-dev-v2');
  expect(endpoint().admin.callCounts().byOperation.UpdateEnvironmentAccountConnection).toBe(1);

  await deployer(twoAccountRenamedRole, state, lines).destroy();
  expect(connections()).toEqual([]);
  expect(endpoint().admin.events().map((e) => e.detail.status)).not.toContain('REJECTED');
}, 120_000);

test('management stack first: its acceptor waits while the request arrives later', async () => {
  const state = path.join(tmp, 'state-order.json');
  const management = deployer(twoAccount, state).deploy(['ManagementAccountStack']);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(connections()).toEqual([]);
  const environment = deployer(twoAccount, path.join(tmp, 'state-order-env.json')).deploy(['EnvironmentAccountStack']);
  const [managementResult] = await Promise.all([management, environment]);
  const [connection] = connections();
  expect(connection.status).toBe('CONNECTED');
  expect(managementResult.stacks.ManagementAccountStack.outputs.AcceptedConnectionId).toBe(connection.id);
}, 120_000);

test('multi-environment example: every environment CONNECTED with its own role, then nothing left', async () => {
  const state = path.join(tmp, 'state-multi.json');
  await deployer(multiEnvironment, state).deploy();
  const expected = PLATFORM.environmentAccounts.flatMap((a) => a.environments.map((e) => `${a.account}/${e}`)).sort();
  expect(connections().map((c) => `${c.environmentAccountId}/${c.environmentName}`).sort()).toEqual(expected);
  expect(connections().every((c) => c.status === 'CONNECTED' && c.managementAccountId === PLATFORM.managementAccount)).toBe(true);
  expect(new Set(connections().map((c) => c.roleArn)).size).toBe(expected.length);
  await deployer(multiEnvironment, state).destroy();
  expect(connections()).toEqual([]);
}, 180_000);
