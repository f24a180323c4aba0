import * as fs from 'fs';
import * as path from 'path';
import { CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Stack } from 'aws-cdk-lib';
import { cleanupTmp, deployerFor, ENV_A, ENV_B, readRecords, recorded, recorderFunction, summary, synth, tmpDir } from './helpers';

jest.setTimeout(30_000);
afterAll(cleanupTmp);

describe('failures and delivery', () => {
  test('failed Create rolls back: Delete for created resources and for the failed one with its FAILED physical id', async () => {
    const record = path.join(tmpDir(), 'events.jsonl');
    const dir = synth(a => {
      const s = new Stack(a, 'Broken', { env: ENV_A });
      const fn = recorderFunction(s, record);
      const ok = recorded(fn, s, 'Ok', { Value: 'fine' });
      recorded(fn, s, 'Bad', { Fail: 'true', PhysicalId: 'bad-physical', Upstream: ok.ref });
    });
    const { deployer, lines } = deployerFor(dir);
    await expect(deployer.deploy()).rejects.toThrow(/Stack Broken failed: Bad \(AWS::CloudFormation::CustomResource\): .*asked to fail Create/);
    expect(summary(record)).toEqual(['Create Ok', 'Create Bad', 'Delete Bad', 'Delete Ok']);
    expect(readRecords(record)[2].event.PhysicalResourceId).toBe('bad-physical');
    expect(lines).toContain('Broken | ROLLBACK_COMPLETE | AWS::CloudFormation::Stack | Broken');
    expect(lines.some(l => l.startsWith('Broken | CREATE_FAILED | AWS::CloudFormation::CustomResource | Bad | Received response status [FAILED]'))).toBe(true);
    expect(deployer.stackState('Broken')).toBeUndefined();
  });

  test('failed Update rolls back with old and new properties swapped and deletes new resources', async () => {
    const work = tmpDir();
    const record = path.join(work, 'events.jsonl');
    const stateFile = path.join(work, 'state.json');
    const v1 = synth(a => {
      const s = new Stack(a, 'Upd', { env: ENV_A });
      const fn = recorderFunction(s, record);
      const one = recorded(fn, s, 'One', { Value: 'a' });
      recorded(fn, s, 'Two', { Value: 'b', Upstream: one.getAttString('Value') });
    });
    await deployerFor(v1, { stateFile }).deployer.deploy();
    const v2 = synth(a => {
      const s = new Stack(a, 'Upd', { env: ENV_A });
      const fn = recorderFunction(s, record);
      const one = recorded(fn, s, 'One', { Value: 'a2' });
      const added = recorded(fn, s, 'Added', { Value: 'n' });
      recorded(fn, s, 'Two', { Value: 'b', Upstream: one.getAttString('Value'), Other: added.ref, FailOn: 'Update' });
    });
    const { deployer, lines } = deployerFor(v2, { stateFile });
    await expect(deployer.deploy()).rejects.toThrow(/Stack Upd failed: Two .*asked to fail Update/);
    const events = readRecords(record).slice(2);
    const names = events.map(r => `${r.event.RequestType} ${r.event.LogicalResourceId}`);
    expect(names.slice(0, 2).sort()).toEqual(['Create Added', 'Update One']);
    expect(names.slice(2)).toEqual(['Update Two', 'Update One', 'Delete Added']);
    const rollback = events[3].event;
    expect(rollback.ResourceProperties.Value).toBe('a');
    expect(rollback.OldResourceProperties!.Value).toBe('a2');
    expect(lines).toContain('Upd | UPDATE_ROLLBACK_COMPLETE | AWS::CloudFormation::Stack | Upd');
    expect(deployer.stackState('Upd')!.resources.One.properties.Value).toBe('a');
    expect(deployer.stackState('Upd')!.resources.Added).toBeUndefined();
  });

  test('a handler that never responds fails after the (capped) timeout; one that exits fails at once', async () => {
    const record = path.join(tmpDir(), 'events.jsonl');
    const dir = synth(a => {
      const s = new Stack(a, 'Hang', { env: ENV_A });
      recorded(recorderFunction(s, record), s, 'Hangs', { Hang: 'true' });
      const t = new Stack(a, 'Quits', { env: ENV_A });
      recorded(recorderFunction(t, record), t, 'Exits', { Exit: 'true' });
    });
    const { deployer } = deployerFor(dir, { handlerTimeoutMs: 800 });
    const started = Date.now();
    await expect(deployer.deploy(['Hang'])).rejects.toThrow(/Hangs .*did not send a response within 0.8 s/);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(deployer.deploy(['Quits'])).rejects.toThrow(/Exits .*exited \(exit code 7\) without sending a response.*ERROR exiting without a response/);
  });

  test('duplicate delivery sends the same RequestId twice and the first response wins', async () => {
    const record = path.join(tmpDir(), 'events.jsonl');
    const dir = synth(a => {
      const s = new Stack(a, 'Dup', { env: ENV_A });
      recorded(recorderFunction(s, record), s, 'Twice', { Value: 'v' });
    });
    const { deployer, lines } = deployerFor(dir, { duplicateDelivery: true });
    await deployer.deploy();
    const events = readRecords(record);
    expect(events).toHaveLength(2);
    expect(events[0].event.RequestId).toBe(events[1].event.RequestId);
    expect(events[0].context.awsRequestId).toBe(events[1].context.awsRequestId);
    expect(lines.some(l => /Twice: duplicate delivery of Create .*ignored later response SUCCESS/.test(l))).toBe(true);
  });

  test('stacks in different accounts get their own credentials; the parent AWS_* environment does not leak', async () => {
    const record = path.join(tmpDir(), 'events.jsonl');
    const dir = synth(a => {
      const s = new Stack(a, 'InA', { env: ENV_A });
      recorded(recorderFunction(s, record), s, 'A');
      const t = new Stack(a, 'InB', { env: ENV_B });
      recorded(recorderFunction(t, record), t, 'B');
    });
    process.env.AWS_PROFILE = 'must-not-leak';
    process.env.LEAK_CHECK = 'must-not-leak';
    try {
      const { deployer } = deployerFor(dir, { environment: { EXTRA: 'from-options' } });
      await deployer.deploy();
    } finally {
      delete process.env.AWS_PROFILE;
      delete process.env.LEAK_CHECK;
    }
    const byId = Object.fromEntries(readRecords(record).map(r => [r.event.LogicalResourceId, r]));
    expect(byId.A.env).toMatchObject({ AWS_ACCESS_KEY_ID: 'LOCAL222222222222', EXTRA: 'from-options' });
    expect(byId.B.env).toMatchObject({ AWS_ACCESS_KEY_ID: 'LOCAL333333333333', EXTRA: 'from-options' });
    expect(byId.A.env.AWS_PROFILE).toBeUndefined();
    expect(byId.A.env.LEAK_CHECK).toBeUndefined();
    expect(byId.B.event.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:333333333333:stack\/InB\//);
  });

  test('concurrent deploys: a custom resource waits for what a concurrently deployed stack creates', async () => {
    const work = tmpDir();
    const record = path.join(work, 'events.jsonl');
    const signal = path.join(work, 'signal');
    const dir = synth(a => {
      const w = new Stack(a, 'Waiter', { env: ENV_A });
      recorded(recorderFunction(w, record), w, 'Waits', { WaitForFile: signal });
      const c = new Stack(a, 'Creator', { env: ENV_B });
      recorded(recorderFunction(c, record), c, 'Creates', { CreateFile: signal, DelayMs: 300 });
    });
    const { deployer } = deployerFor(dir);
    const waiting = deployer.deploy(['Waiter']);
    await new Promise(r => setTimeout(r, 100));
    await Promise.all([waiting, deployer.deploy(['Creator'])]);
    expect(fs.existsSync(signal)).toBe(true);
    expect(deployer.deployedStacks().map(s => s.id).sort()).toEqual(['Creator', 'Waiter']);
  });

  test("CDK's CustomResourceProvider (https-only response code) works against the loopback ResponseURL", async () => {
    const providerDir = tmpDir('provider-');
    fs.writeFileSync(path.join(providerDir, 'index.js'),
      "exports.handler = async (event) => ({ PhysicalResourceId: 'provider-' + event.ResourceProperties.Name, Data: { Greeting: 'hi ' + event.ResourceProperties.Name } });\n");
    const dir = synth(a => {
      const s = new Stack(a, 'Prov', { env: ENV_A });
      const provider = CustomResourceProvider.getOrCreateProvider(s, 'Custom::Greeter', { codeDirectory: providerDir, runtime: CustomResourceProviderRuntime.NODEJS_22_X });
      new CustomResource(s, 'Greeting', { serviceToken: provider.serviceToken, resourceType: 'Custom::Greeter', properties: { Name: 'local' } });
    });
    const { deployer } = deployerFor(dir);
    await deployer.deploy();
    expect(deployer.physicalResourceId('Prov', 'Greeting')).toBe('provider-local');
    expect(deployer.resourceAttributes('Prov', 'Greeting')).toEqual({ Greeting: 'hi local' });
    await deployer.destroy();
  });

  test('an unresolved environment is a clear error', async () => {
    const dir = synth(a => { new Stack(a, 'Agnostic'); });
    await expect(deployerFor(dir).deployer.deploy()).rejects.toThrow(/Stack Agnostic has an unresolved environment.*set `env: \{ account, region \}`/);
  });
});
