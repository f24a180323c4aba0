import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { cleanupTmp, ENV_A, recorded, recorderFunction, summary, synth, tmpDir, UNUSED_ENDPOINT } from './helpers';

jest.setTimeout(60_000);
afterAll(cleanupTmp);

const ROOT = path.join(__dirname, '..', '..', '..');
const cli = (args: string[]) => spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'local/bin/cdk-proton-local.ts'), ...args], {
  cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME },
});

test('cdk-proton-local: deploy, destroy, and a non-zero exit with the message on failure', () => {
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
  const deploy = cli(['deploy', '--app', dir, '--state', state, '--stacks', 'Cli', '--endpoint', UNUSED_ENDPOINT, '--duplicate-delivery']);
  expect(deploy.stderr).not.toContain('cdk-proton-local deploy:');
  expect(deploy.status).toBe(0);
  expect(deploy.stdout).toContain('Cli | CREATE_COMPLETE | AWS::CloudFormation::CustomResource | Conn | Status=CONNECTED');
  expect(deploy.stdout).toContain('Cli.ConnStatus = CONNECTED');
  expect(summary(record)).toEqual(['Create Conn', 'Create Conn']);

  const destroy = cli(['destroy', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT]);
  expect(destroy.status).toBe(0);
  expect(summary(record).slice(2)).toEqual(['Delete Conn']);

  const broken = cli(['deploy', '--app', dir, '--state', state, '--stacks', 'CliBroken', '--endpoint', UNUSED_ENDPOINT]);
  expect(broken.status).toBe(1);
  expect(broken.stderr).toMatch(/cdk-proton-local deploy: Stack CliBroken failed: Nope .*asked to fail Create/);
});

test('cdk-proton-local without --endpoint exits 1 at once with the advice, running nothing', () => {
  const work = tmpDir();
  const record = path.join(work, 'events.jsonl');
  const state = path.join(work, 'state.json');
  const dir = synth(a => {
    const s = new Stack(a, 'NoEndpoint', { env: ENV_A });
    recorded(recorderFunction(s, record), s, 'Conn');
  });
  const advice = (command: string) => `cdk-proton-local ${command}: --endpoint URL is required: the local deployer never calls AWS. `
    + 'Start the local AWS Proton endpoint with `cdk-proton-local endpoint` (it prints "local-proton listening on <url>") and pass that url: --endpoint <url>\n';
  for (const command of ['deploy', 'destroy']) {
    const run = cli([command, '--app', dir, '--state', state]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(advice(command));
    expect(run.stdout).toBe('');
  }
  expect(fs.existsSync(record)).toBe(false);
  expect(fs.existsSync(state)).toBe(false);
});

test('cdk-proton-local --concurrency: checked, and 2 lets independent stacks overlap', () => {
  const work = tmpDir();
  const timing = path.join(work, 'timing.jsonl');
  const state = path.join(work, 'state.json');
  const dir = synth(a => {
    for (const name of ['One', 'Two']) {
      const s = new Stack(a, name, { env: ENV_A });
      recorded(recorderFunction(s, path.join(work, 'events.jsonl')), s, `In${name}`, { DelayMs: 600, TimingFile: timing });
    }
  });
  const bad = cli(['deploy', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT, '--concurrency', '0']);
  expect(bad.status).toBe(1);
  expect(bad.stderr.split('\n')[0]).toBe('cdk-proton-local deploy: --concurrency must be a positive integer (got "0")');

  const deploy = cli(['deploy', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT, '--concurrency', '2']);
  expect(deploy.stderr).toBe('');
  expect(deploy.status).toBe(0);
  const at = (id: string, phase: string) => (fs.readFileSync(timing, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l))
    .find(t => t.id === id && t.phase === phase) as { at: number }).at;
  expect(at('InOne', 'start')).toBeLessThan(at('InTwo', 'end'));
  expect(at('InTwo', 'start')).toBeLessThan(at('InOne', 'end'));
});

test('cdk-proton-local rules: --tick fires the deployed schedules\' next firing once; --for runs them (sped up) for a while', () => {
  const work = tmpDir();
  const record = path.join(work, 'targets.jsonl');
  const state = path.join(work, 'state.json');
  const dir = synth(a => {
    const s = new Stack(a, 'CliRules', { env: ENV_A });
    const fn = new lambda.Function(s, 'Target', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'fixtures', 'target')),
      environment: { RECORD_FILE: record },
    });
    new events.Rule(s, 'Every5', { schedule: events.Schedule.rate(Duration.minutes(5)), targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ via: 'cli' }) })] });
  });
  expect(cli(['deploy', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT]).status).toBe(0);
  const targetRuns = () => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').split('\n').filter(Boolean).length : 0);
  expect(targetRuns()).toBe(0);

  const tick = cli(['rules', '--tick', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT]);
  expect(tick.stderr).toBe('');
  expect(tick.status).toBe(0);
  expect(tick.stdout).toMatch(/CliRules \| Every5\w+ \(schedule rate\(5 minutes\) at \S+\) -> target Target0: succeeded: \{"got":\{"via":"cli"\}\}/);
  expect(targetRuns()).toBe(1);

  // 600 times as fast: five minutes of schedule every half second
  const run = cli(['rules', '--for', '1.4', '--speedup', '600', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT]);
  expect(run.status).toBe(0);
  expect(targetRuns()).toBeGreaterThanOrEqual(2);

  const misuse = cli(['deploy', '--tick', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT]);
  expect(misuse.status).toBe(2); // a usage error
  expect(misuse.stderr).toMatch(/^cdk-proton-local (deploy|destroy): --tick, --for and --speedup go with the rules command/);
  expect(cli(['destroy', '--app', dir, '--state', state, '--endpoint', UNUSED_ENDPOINT]).status).toBe(0);
});
