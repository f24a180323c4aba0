import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { cleanupTmp, deployerFor, ENV_A, readRecords, recorded, recorderFunction, summary, synth, tmpDir } from './helpers';

jest.setTimeout(30_000);
afterAll(cleanupTmp);

describe('update, replacement, removal, destroy', () => {
  test('Create → Update → no-op → replacement → removal (Retain honoured) → destroy, across deployers sharing a state file', async () => {
    const work = tmpDir();
    const record = path.join(work, 'events.jsonl');
    const stateFile = path.join(work, 'state', 'state.json');
    const app = (props: { value: string; physicalId?: string; withExtra: boolean; withKept: boolean }) => (a: App) => {
      const s = new Stack(a, 'Life', { env: ENV_A });
      const fn = recorderFunction(s, record);
      const main = recorded(fn, s, 'Main', { Value: props.value, ...(props.physicalId ? { PhysicalId: props.physicalId } : {}) });
      recorded(fn, s, 'After', { Upstream: main.ref });
      if (props.withExtra) recorded(fn, s, 'Extra', { Value: 'x' });
      if (props.withKept) recorded(fn, s, 'Kept', { Value: 'k' }).applyRemovalPolicy(RemovalPolicy.RETAIN);
    };

    // v1: create
    const v1 = synth(app({ value: 'one', withExtra: true, withKept: true }));
    await deployerFor(v1, { stateFile }).deployer.deploy();
    expect(summary(record).indexOf('Create Main')).toBeLessThan(summary(record).indexOf('Create After'));
    expect(summary(record).sort()).toEqual(['Create After', 'Create Extra', 'Create Kept', 'Create Main']);
    const mainId = readRecords(record).find(r => r.event.LogicalResourceId === 'Main')!;

    // v2: property change → Update with OldResourceProperties and the physical id
    const v2 = synth(app({ value: 'two', withExtra: true, withKept: true }));
    const second = deployerFor(v2, { stateFile });
    const r2 = await second.deployer.deploy();
    expect(r2.stacks.Life.outcome).toBe('UPDATE_COMPLETE');
    const upd = readRecords(record).slice(4);
    expect(upd.map(r => `${r.event.RequestType} ${r.event.LogicalResourceId}`)).toEqual(['Update Main']);
    const physicalMain = second.deployer.physicalResourceId('Life', 'Main');
    expect(upd[0].event.PhysicalResourceId).toBe(physicalMain);
    expect(upd[0].event.ResourceProperties.Value).toBe('two');
    expect(upd[0].event.OldResourceProperties).toEqual({ ...mainId.event.ResourceProperties });
    expect(upd[0].event.OldResourceProperties!.Value).toBe('one');

    // v2 again: nothing changed → no events
    const again = deployerFor(v2, { stateFile });
    expect((await again.deployer.deploy()).stacks.Life.outcome).toBe('NO_CHANGES');
    expect(readRecords(record)).toHaveLength(5);
    expect(again.lines).toContain('Life | no changes');

    // v3: Main returns a new physical id → dependents updated, then the old id deleted in cleanup
    const v3 = synth(app({ value: 'three', physicalId: 'main-v3', withExtra: false, withKept: false }));
    const third = deployerFor(v3, { stateFile });
    await third.deployer.deploy();
    const v3Events = readRecords(record).slice(5);
    expect(v3Events.map(r => `${r.event.RequestType} ${r.event.LogicalResourceId}`)).toEqual(['Update Main', 'Update After', 'Delete Main', 'Delete Extra']);
    expect(v3Events[1].event.ResourceProperties.Upstream).toBe('main-v3');
    expect(v3Events[2].event.PhysicalResourceId).toBe(physicalMain);
    expect(v3Events[2].event.ResourceProperties.Value).toBe('two');
    expect(third.lines.some(l => l.includes('DELETE_SKIPPED | AWS::CloudFormation::CustomResource | Kept | Retain'))).toBe(true);
    expect(third.deployer.physicalResourceId('Life', 'Main')).toBe('main-v3');
    expect(third.deployer.stackState('Life')!.resources.Kept).toBeUndefined();

    // destroy (a fresh deployer: state comes from the file): reverse dependency order
    const fourth = deployerFor(v3, { stateFile });
    await fourth.deployer.destroy();
    expect(summary(record).slice(9)).toEqual(['Delete After', 'Delete Main']);
    expect(readRecords(record)[10].event.PhysicalResourceId).toBe('main-v3');
    expect(fourth.deployer.stackState('Life')).toBeUndefined();
    expect(fourth.lines[fourth.lines.length - 1]).toBe('Life | DELETE_COMPLETE | AWS::CloudFormation::Stack | Life');
  });

  test('stack dependency order for deploy and reverse for destroy', async () => {
    const record = path.join(tmpDir(), 'events.jsonl');
    const dir = synth(a => {
      const first = new Stack(a, 'First', { env: ENV_A });
      const second = new Stack(a, 'Second', { env: ENV_A });
      second.addStackDependency(first);
      recorded(recorderFunction(second, record), second, 'InSecond');
      recorded(recorderFunction(first, record), first, 'InFirst');
    });
    const { deployer } = deployerFor(dir);
    const result = await deployer.deploy();
    expect(Object.keys(result.stacks)).toEqual(['First', 'Second']);
    await deployer.destroy();
    expect(summary(record)).toEqual(['Create InFirst', 'Create InSecond', 'Delete InSecond', 'Delete InFirst']);
  });
});
