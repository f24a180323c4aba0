/**
 * EventBridge rules and SSM parameters of deployed stacks: schedules on a clock that moves only when told (or sped
 * up), event-pattern rules fed with AWS Proton's events, targets run by the Lambda plumbing, parameters served over
 * the SSM protocol; all gone with their stack.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { cleanupTmp, deployerFor, ENV_A, ENV_B, synth, tmpDir } from './helpers';
import type { LocalDeployerOptions, RuleEvent } from '../../../local/deployer';

const TARGET_DIR = path.join(__dirname, 'fixtures', 'target');
const PENDING = 'AWS Proton Environment Account Connection Status Change';

afterAll(cleanupTmp);

function targetFunction(stack: Stack, record: string, id = 'Target'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(TARGET_DIR),
    timeout: Duration.seconds(20),
    environment: { RECORD_FILE: record, SSM_CLIENT_MODULE: require.resolve('@aws-sdk/client-ssm') },
  });
}

function records(file: string): Array<{ event: any; env: Record<string, string | undefined> }> {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

interface Built {
  readonly dir: string;
  readonly record: string;
}

function build(add: (stack: Stack, fn: lambda.Function) => void, env = ENV_A, id = 'Rules'): Built {
  const record = path.join(tmpDir('rules-record-'), 'events.jsonl');
  const dir = synth((app: App) => {
    const stack = new Stack(app, id, { env });
    add(stack, targetFunction(stack, record));
  });
  return { dir, record };
}

function deployer(dir: string, options: Partial<LocalDeployerOptions> = {}) {
  return deployerFor(dir, { handlerTimeoutMs: 20_000, ...options });
}

describe('schedule rules', () => {
  test('fire only when the clock is ticked (manual by default), with the target\'s Input; tick() goes to the next firing', async () => {
    const { dir, record } = build((stack, fn) => {
      new events.Rule(stack, 'Every5', { schedule: events.Schedule.rate(Duration.minutes(5)), targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ from: 'schedule' }) })] });
    });
    const { deployer: d, lines } = deployer(dir);
    await d.deploy();
    const start = d.rules.now().getTime();
    await new Promise((r) => setTimeout(r, 300));
    expect(records(record)).toEqual([]);
    const [rule] = d.rules.list();
    expect(rule).toMatchObject({ stack: 'Rules', logicalId: expect.stringMatching(/^Every5/), enabled: true, scheduleExpression: 'rate(5 minutes)', targets: ['Target0'] });
    expect(rule.nextFireAt!.getTime() - start).toBe(5 * 60_000);

    expect(await d.rules.tick(4 * 60_000)).toEqual([]);
    const [fired] = await d.rules.tick(60_000);
    expect(fired).toMatchObject({ stack: 'Rules', rule: rule.logicalId, target: 'Target0', trigger: 'schedule', outcome: 'succeeded', attempts: 1, input: { from: 'schedule' }, result: { got: { from: 'schedule' } } });
    expect(fired.at.getTime()).toBe(start + 5 * 60_000);
    expect(records(record).map((r) => r.event)).toEqual([{ from: 'schedule' }]);
    // the handler's environment: its stack's account credentials, the deployer's SSM endpoint
    expect(records(record)[0].env).toMatchObject({ AWS_ACCESS_KEY_ID: `LOCAL${ENV_A.account}`, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SSM: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(lines.join('\n')).toMatch(new RegExp(`Rules \\| ${rule.logicalId} \\(schedule rate\\(5 minutes\\) at \\S+\\) -> target Target0: succeeded: \\{"got":\\{"from":"schedule"\\}\\}`));

    const [next] = await d.rules.tick();
    expect(next.at.getTime()).toBe(start + 10 * 60_000);
    expect(d.rules.now().getTime()).toBe(start + 10 * 60_000);
    // a tick that spans several periods fires once
    expect(await d.rules.tick(60 * 60_000)).toHaveLength(1);
    expect(d.rules.invocations()).toHaveLength(3);
    await d.destroy();
    expect(d.rules.list()).toEqual([]);
    expect(await d.rules.tick(60 * 60_000)).toEqual([]);
  }, 60_000);

  test('a target without Input gets the scheduled event; a disabled rule does not fire', async () => {
    const { dir, record } = build((stack, fn) => {
      new events.Rule(stack, 'Hourly', { schedule: events.Schedule.cron({ minute: '0' }), targets: [new targets.LambdaFunction(fn)] });
      new events.Rule(stack, 'Off', { enabled: false, schedule: events.Schedule.rate(Duration.minutes(1)), targets: [new targets.LambdaFunction(fn)] });
    });
    const { deployer: d } = deployer(dir);
    await d.deploy();
    const fired = await d.rules.tick(61 * 60_000);
    expect(fired).toHaveLength(1);
    const hourly = d.rules.list().find((r) => r.logicalId.startsWith('Hourly'))!;
    expect(records(record).map((r) => r.event)).toEqual([{
      'version': '0',
      'id': expect.any(String),
      'detail-type': 'Scheduled Event',
      'source': 'aws.events',
      'account': ENV_A.account,
      'time': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/),
      'region': 'us-east-1',
      'resources': [hourly.arn],
      'detail': {},
    }]);
    await d.destroy();
  }, 60_000);

  test('function errors are retried as Lambda retries asynchronous invocations (twice); the outcome is logged', async () => {
    const { dir, record } = build((stack, fn) => {
      new events.Rule(stack, 'Flaky', { schedule: events.Schedule.rate(Duration.minutes(1)), targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ fail: '1' }) })] });
    });
    const { deployer: d, lines } = deployer(dir);
    await d.deploy();
    const [flaky] = await d.rules.tick();
    expect(flaky).toMatchObject({ outcome: 'succeeded', attempts: 2 });
    expect(records(record)).toHaveLength(2);
    await d.destroy();

    const broken = build((stack, fn) => {
      new events.Rule(stack, 'Broken', { schedule: events.Schedule.rate(Duration.minutes(1)), targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ fail: 'always' }) })] });
    });
    const second = deployer(broken.dir);
    await second.deployer.deploy();
    const [failed] = await second.deployer.rules.tick();
    expect(failed).toMatchObject({ outcome: 'failed', attempts: 3, error: 'Error: asked to fail (invocation 3)' });
    expect(second.lines.join('\n')).toMatch(/-> target Target0: FAILED after 3 attempts: Error: asked to fail \(invocation 3\)/);
    expect(second.lines.join('\n')).toMatch(/Rules \| Broken\w+ \| ERROR Invoke Error/);
    await second.deployer.destroy();
    expect(lines.join('\n')).toMatch(/succeeded \(attempt 2\)/);
  }, 90_000);

  test('a target EventBridge may not invoke (no AWS::Lambda::Permission), or that is not a function of the stack, is not delivered', async () => {
    const { dir, record } = build((stack, fn) => {
      new events.CfnRule(stack, 'NoPermission', { scheduleExpression: 'rate(1 minute)', targets: [{ id: 'T', arn: fn.functionArn }] });
      new events.CfnRule(stack, 'Elsewhere', { scheduleExpression: 'rate(1 minute)', targets: [{ id: 'Q', arn: `arn:aws:sqs:us-east-1:${ENV_A.account}:queue` }] });
    });
    const { deployer: d } = deployer(dir);
    await d.deploy();
    const fired = await d.rules.tick();
    expect(fired.map((f) => [f.rule, f.outcome, f.attempts]).sort()).toEqual([['Elsewhere', 'not-delivered', 0], ['NoPermission', 'not-delivered', 0]]);
    expect(fired.find((f) => f.rule === 'NoPermission')!.error).toMatch(/no AWS::Lambda::Permission of stack Rules lets events\.amazonaws\.com invoke/);
    expect(fired.find((f) => f.rule === 'Elsewhere')!.error).toMatch(/target Q \(arn:aws:sqs:\S+\) of rule Elsewhere is not the Arn of an AWS::Lambda::Function in stack Rules/);
    expect(records(record)).toEqual([]);
    await d.destroy();
  }, 60_000);

  test('a rule EventBridge refuses fails its resource (the stack rolls back); one the deployer cannot run is a warning', async () => {
    const bad = build((stack) => {
      new events.CfnRule(stack, 'Bad', { scheduleExpression: 'rate(1 minutes)' });
    });
    const { deployer: d, events: progress } = deployer(bad.dir);
    await expect(d.deploy()).rejects.toThrow(/Bad \(AWS::Events::Rule\): Parameter ScheduleExpression is not valid: the rate unit must be singular for 1/);
    expect(progress.map((e) => `${e.logicalId} ${e.status}`)).toContain('Bad CREATE_FAILED');
    expect(d.stackState('Rules')).toBeUndefined();

    const lastDay = build((stack, fn) => {
      new events.Rule(stack, 'LastDay', { schedule: events.Schedule.expression('cron(0 0 L * ? *)'), targets: [new targets.LambdaFunction(fn)] });
    });
    const second = deployer(lastDay.dir);
    await second.deployer.deploy();
    expect(second.lines.join('\n')).toMatch(/WARNING LastDay\w+: cron day-of-month "L": L, W and # are not emulated by the local deployer: the rule never fires locally/);
    expect(await second.deployer.rules.tick(40 * 24 * 60 * 60_000)).toEqual([]);
    await second.deployer.destroy();
  }, 60_000);

  test('a sped-up clock fires in the background between start() and stop(); close() leaves nothing running', async () => {
    const { dir, record } = build((stack, fn) => {
      new events.Rule(stack, 'EveryMinute', { schedule: events.Schedule.rate(Duration.minutes(1)), targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ n: 1 }) })] });
    });
    // one real ms is 3 schedule seconds: a minute every 20 ms
    const { deployer: d } = deployer(dir, { scheduleClock: { speedup: 3000 }, eventPollIntervalMs: 50 });
    await d.deploy();
    const afterDeploy = d.rules.invocations().length;
    d.rules.start();
    while (d.rules.invocations().length < afterDeploy + 2) await new Promise((r) => setTimeout(r, 50));
    await d.close();
    const count = d.rules.invocations().length;
    const clock = d.rules.now().getTime();
    await new Promise((r) => setTimeout(r, 400));
    expect(d.rules.invocations()).toHaveLength(count);
    expect(records(record)).toHaveLength(count);
    expect(d.rules.now().getTime()).toBe(clock);
    await d.destroy();
  }, 60_000);
});

describe('event-pattern rules', () => {
  function protonEvent(account: string, status: string, extra: Partial<RuleEvent> = {}): RuleEvent {
    return {
      'version': '0',
      'id': `${account}-${status}-${Math.random().toString(16).slice(2)}`,
      'detail-type': PENDING,
      'source': 'aws.proton',
      account,
      'time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'region': 'us-east-1',
      'resources': [],
      'detail': { id: 'c1', status },
      ...extra,
    };
  }

  test('get the events of their account and Region that match, once each, when they are delivered', async () => {
    const { dir, record } = build((stack, fn) => {
      new events.Rule(stack, 'OnPending', {
        eventPattern: { source: ['aws.proton'], detailType: [PENDING], detail: { status: ['PENDING'] } },
        targets: [new targets.LambdaFunction(fn)],
      });
    });
    const log: RuleEvent[] = [];
    const { deployer: d } = deployer(dir, { protonEvents: { events: ({ account }) => log.filter((e) => e.account === account) } });
    await d.deploy();
    await d.rules.deliverEvents(); // watches the account from now on
    const match = protonEvent(ENV_A.account, 'PENDING');
    log.push(match, protonEvent(ENV_A.account, 'CONNECTED'), protonEvent(ENV_B.account, 'PENDING'), protonEvent(ENV_A.account, 'PENDING', { region: 'eu-west-1' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(records(record)).toEqual([]); // nothing is delivered behind the test's back
    const delivered = await d.rules.deliverEvents();
    expect(delivered).toEqual([expect.objectContaining({ trigger: 'event', eventId: match.id, outcome: 'succeeded', input: match })]);
    expect(records(record).map((r) => r.event)).toEqual([match]);
    expect(await d.rules.deliverEvents()).toEqual([]);
    await d.destroy();
  }, 60_000);

  test('events arrive while deploy() runs; deploy() returns once the invocations they caused ended', async () => {
    const record = path.join(tmpDir('rules-record-'), 'events.jsonl');
    const log: RuleEvent[] = [];
    const dir = synth((app: App) => {
      const stack = new Stack(app, 'Rules', { env: ENV_A });
      const fn = targetFunction(stack, record);
      const rule = new events.Rule(stack, 'OnPending', { eventPattern: { source: ['aws.proton'], detail: { status: ['PENDING'] } }, targets: [new targets.LambdaFunction(fn)] });
      // a resource after the rule that "files a request" (the source gets an event) and takes a while
      const later = new CustomResource(stack, 'Later', { serviceToken: targetFunction(stack, record, 'Reader').functionArn, properties: { Path: '/none' } });
      later.node.addDependency(rule);
    });
    let reads = 0;
    const { deployer: d } = deployer(dir, {
      eventPollIntervalMs: 20,
      protonEvents: {
        events: ({ account }) => {
          // the first read (once the rule exists) starts the watching; the event is filed after it, during the deploy
          if (++reads === 2 && d.stackState('Rules') === undefined) log.push(protonEvent(account, 'PENDING'));
          return log;
        },
      },
    });
    await d.deploy();
    expect(d.rules.invocations()).toEqual([expect.objectContaining({ trigger: 'event', outcome: 'succeeded', eventId: log[0].id })]);
    await d.destroy();
  }, 60_000);
});

describe('SSM parameters', () => {
  test('handlers read their account\'s parameters through the SDK (GetParametersByPath, paginated, Recursive); they go with their stack', async () => {
    const record = path.join(tmpDir('rules-record-'), 'events.jsonl');
    const dir = synth((app: App) => {
      const stack = new Stack(app, 'Params', { env: ENV_A });
      const fn = targetFunction(stack, record);
      const params = ['/app/a', '/app/b', '/app/c', '/app/d', '/app/deep/e', '/other/f'].map((name, i) => new ssm.StringParameter(stack, `P${i}`, { parameterName: name, stringValue: `value-${i}` }));
      new ssm.StringListParameter(stack, 'List', { parameterName: '/app/list', stringListValue: ['x', 'y'] });
      const direct = new CustomResource(stack, 'Direct', { serviceToken: fn.functionArn, properties: { Path: '/app' } });
      const all = new CustomResource(stack, 'All', { serviceToken: fn.functionArn, properties: { Path: '/app', Recursive: 'true' } });
      for (const p of params) {
        direct.node.addDependency(p);
        all.node.addDependency(p);
      }
      new events.Rule(stack, 'Reader', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ readPath: '/app', recursive: true }) })] });
      const other = new Stack(app, 'Elsewhere', { env: ENV_B });
      new ssm.StringParameter(other, 'B', { parameterName: '/app/b-only', stringValue: 'b' });
    });
    const { deployer: d } = deployer(dir);
    await d.deploy(['Elsewhere']);
    await d.deploy(['Params']);
    // the custom resources ran after the parameters they depend on (the list parameter may come later)
    expect(d.resourceAttributes('Params', 'Direct').Names).toMatch(/^\/app\/a,\/app\/b,\/app\/c,\/app\/d(,\/app\/list)?$/);
    expect(d.resourceAttributes('Params', 'All').Names).toMatch(/^\/app\/a,\/app\/b,\/app\/c,\/app\/d,\/app\/deep\/e(,\/app\/list)?$/);
    expect(d.ssmParameters(ENV_A.account, 'us-east-1').map((p) => [p.Name, p.Type, p.Value])).toEqual([
      ['/app/a', 'String', 'value-0'], ['/app/b', 'String', 'value-1'], ['/app/c', 'String', 'value-2'], ['/app/d', 'String', 'value-3'],
      ['/app/deep/e', 'String', 'value-4'], ['/app/list', 'StringList', 'x,y'], ['/other/f', 'String', 'value-5'],
    ]);
    const [read] = await d.rules.tick();
    expect(read.result).toEqual({
      names: ['/app/a', '/app/b', '/app/c', '/app/d', '/app/deep/e', '/app/list'],
      values: ['value-0', 'value-1', 'value-2', 'value-3', 'value-4', 'x,y'],
    });
    await d.destroy(['Params']);
    expect(d.ssmParameters(ENV_A.account, 'us-east-1')).toEqual([]);
    expect(d.ssmParameters(ENV_B.account, 'us-east-1').map((p) => p.Name)).toEqual(['/app/b-only']);
    await d.destroy();
    expect(d.ssmParameters(ENV_B.account, 'us-east-1')).toEqual([]);
  }, 90_000);
});
