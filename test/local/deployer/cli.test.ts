import { spawnSync } from 'child_process';
import * as path from 'path';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import { cleanupTmp, ENV_A, recorded, recorderFunction, summary, synth, tmpDir } from './helpers';

jest.setTimeout(60_000);
afterAll(cleanupTmp);

const ROOT = path.join(__dirname, '..', '..', '..');
const cli = (args: string[]) => spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'local/bin/local-deploy.ts'), ...args], {
  cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME },
});

test('local-deploy CLI: deploy, destroy, and a non-zero exit with the message on failure', () => {
  const work = tmpDir();
  const record = path.join(work, 'events.jsonl');
  const state = path.join(work, 'state.json');
  const dir = synth(a => {
    const s = new Stack(a, 'Cli', { env: ENV_A });
    const fn = recorderFunction(s, record);
    const cr = recorded(fn, s, 'Conn', { Value: 'v' });
    new CfnOutput(s, 'ConnStatus', { value: cr.getAttString('Status') });
    const t = new Stack(a, 'CliBroken', { env: ENV_A });
    recorded(recorderFunction(t, record), t, 'Nope', { Fail: 'true' });
  });
  const deploy = cli(['deploy', '--app', dir, '--state', state, '--stacks', 'Cli', '--endpoint', 'http://127.0.0.1:9', '--duplicate-delivery']);
  expect(deploy.stderr).not.toContain('local-deploy:');
  expect(deploy.status).toBe(0);
  expect(deploy.stdout).toContain('Cli | CREATE_COMPLETE | AWS::CloudFormation::CustomResource | Conn | Status=CONNECTED');
  expect(deploy.stdout).toContain('Cli.ConnStatus = CONNECTED');
  expect(summary(record)).toEqual(['Create Conn', 'Create Conn']);

  const destroy = cli(['destroy', '--app', dir, '--state', state]);
  expect(destroy.status).toBe(0);
  expect(summary(record).slice(2)).toEqual(['Delete Conn']);

  const broken = cli(['deploy', '--app', dir, '--state', state, '--stacks', 'CliBroken']);
  expect(broken.status).toBe(1);
  expect(broken.stderr).toMatch(/local-deploy: Stack CliBroken failed: Nope .*asked to fail Create/);
});
