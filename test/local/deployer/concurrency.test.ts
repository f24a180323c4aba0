import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { cleanupTmp, deployerFor, ENV_A, ENV_B, recorded, recorderFunction, synth, tmpDir, TestDeployer } from './helpers';
import { LocalDeployer, readCloudAssembly } from '../../../local/deployer';
import { STACK_TYPE } from '../../../local/deployer/progress';
import { runGraph } from '../../../local/deployer/resource-graph';
import { cliOrder } from '../../../local/deployer/stack-order';

jest.setTimeout(60_000);
afterAll(cleanupTmp);

interface Timing {
  id: string;
  requestType: string;
  phase: 'start' | 'end';
  at: number;
}

/** [start, end] of each handler run, by `<RequestType> <LogicalId>`. */
function intervals(file: string): Record<string, [number, number]> {
  const result: Record<string, [number, number]> = {};
  for (const t of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Timing)) {
    const key = `${t.requestType} ${t.id}`;
    result[key] ??= [NaN, NaN];
    result[key][t.phase === 'start' ? 0 : 1] = t.at;
  }
  return result;
}

/** The stack of each progress event, with runs of the same stack collapsed: [A, B] means all of A's events, then all of B's. */
function stackRuns(d: TestDeployer): string[] {
  return d.events.map(e => e.stack).filter((s, i, all) => i === 0 || all[i - 1] !== s);
}

function stackEvents(d: TestDeployer): string[] {
  return d.events.filter(e => e.resourceType === STACK_TYPE).map(e => `${e.stack} ${e.status}`);
}

/**
 * Stacks defined in this order: Consumer (depends on Zeta), Zeta, Alpha. Each has one recorded custom resource
 * (`In<Stack>`) that takes `delayMs` and writes its start and end times to `timingFile`.
 */
function threeStacks(timingFile: string, delayMs = 400): (app: App) => void {
  return app => {
    const consumer = new Stack(app, 'Consumer', { env: ENV_A });
    const zeta = new Stack(app, 'Zeta', { env: ENV_B });
    const alpha = new Stack(app, 'Alpha', { env: ENV_A });
    consumer.addStackDependency(zeta);
    for (const s of [consumer, zeta, alpha]) {
      recorded(recorderFunction(s, path.join(path.dirname(timingFile), 'events.jsonl')), s, `In${s.stackName}`, { DelayMs: delayMs, TimingFile: timingFile });
    }
  };
}

describe('stack concurrency', () => {
  test('default: one stack at a time in the CDK CLI order (dependency rounds sorted by id); destroy in the reverse order', async () => {
    const work = tmpDir();
    const [timingFile, stateFile] = [path.join(work, 'timing.jsonl'), path.join(work, 'state.json')];
    const dir = synth(threeStacks(timingFile));
    expect(readCloudAssembly(dir).stacks.map(s => s.id)).toEqual(['Consumer', 'Zeta', 'Alpha']);

    const d = deployerFor(dir, { stateFile });
    const result = await d.deployer.deploy();
    expect(Object.keys(result.stacks)).toEqual(['Alpha', 'Zeta', 'Consumer']);
    expect(stackRuns(d)).toEqual(['Alpha', 'Zeta', 'Consumer']);
    expect(stackEvents(d)).toEqual([
      'Alpha CREATE_IN_PROGRESS', 'Alpha CREATE_COMPLETE',
      'Zeta CREATE_IN_PROGRESS', 'Zeta CREATE_COMPLETE',
      'Consumer CREATE_IN_PROGRESS', 'Consumer CREATE_COMPLETE',
    ]);
    const created = intervals(timingFile);
    expect(created['Create InZeta'][0]).toBeGreaterThan(created['Create InAlpha'][1]);
    expect(created['Create InConsumer'][0]).toBeGreaterThan(created['Create InZeta'][1]);

    fs.rmSync(timingFile);
    const destroyer = deployerFor(dir, { stateFile });
    await destroyer.deployer.destroy();
    expect(stackRuns(destroyer)).toEqual(['Consumer', 'Zeta', 'Alpha']);
    expect(stackEvents(destroyer)).toEqual([
      'Consumer DELETE_IN_PROGRESS', 'Consumer DELETE_COMPLETE',
      'Zeta DELETE_IN_PROGRESS', 'Zeta DELETE_COMPLETE',
      'Alpha DELETE_IN_PROGRESS', 'Alpha DELETE_COMPLETE',
    ]);
    const deleted = intervals(timingFile);
    expect(deleted['Delete InZeta'][0]).toBeGreaterThan(deleted['Delete InConsumer'][1]);
    expect(deleted['Delete InAlpha'][0]).toBeGreaterThan(deleted['Delete InZeta'][1]);
  });

  test('concurrency 2: independent stacks overlap; a dependent stack starts only after its dependency completed', async () => {
    const work = tmpDir();
    const [timingFile, stateFile] = [path.join(work, 'timing.jsonl'), path.join(work, 'state.json')];
    const dir = synth(threeStacks(timingFile, 600));
    const d = deployerFor(dir, { concurrency: 2, stateFile });
    await d.deployer.deploy();

    const created = intervals(timingFile);
    const [alpha, zeta, consumer] = [created['Create InAlpha'], created['Create InZeta'], created['Create InConsumer']];
    expect(alpha[0]).toBeLessThan(zeta[1]);
    expect(zeta[0]).toBeLessThan(alpha[1]);
    expect(consumer[0]).toBeGreaterThan(zeta[1]);
    const statuses = stackEvents(d);
    expect(statuses.slice(0, 2).sort()).toEqual(['Alpha CREATE_IN_PROGRESS', 'Zeta CREATE_IN_PROGRESS']);
    expect(statuses.indexOf('Consumer CREATE_IN_PROGRESS')).toBeGreaterThan(statuses.indexOf('Zeta CREATE_COMPLETE'));

    fs.rmSync(timingFile);
    const destroyer = deployerFor(dir, { concurrency: 2, stateFile });
    await destroyer.deployer.destroy();
    const deleted = intervals(timingFile);
    expect(deleted['Delete InAlpha'][0]).toBeLessThan(deleted['Delete InConsumer'][1]);
    expect(deleted['Delete InConsumer'][0]).toBeLessThan(deleted['Delete InAlpha'][1]);
    expect(deleted['Delete InZeta'][0]).toBeGreaterThan(deleted['Delete InConsumer'][1]);
  });

  test('a failed stack does not stop the independent ones, and its dependents are not deployed', async () => {
    const work = tmpDir();
    const record = path.join(work, 'events.jsonl');
    const dir = synth(app => {
      const broken = new Stack(app, 'Broken', { env: ENV_A });
      recorded(recorderFunction(broken, record), broken, 'Fails', { Fail: 'true' });
      const after = new Stack(app, 'After', { env: ENV_A });
      after.addStackDependency(broken);
      recorded(recorderFunction(after, record), after, 'Never');
      const other = new Stack(app, 'Other', { env: ENV_A });
      recorded(recorderFunction(other, record), other, 'Fine');
    });
    const d = deployerFor(dir);
    await expect(d.deployer.deploy()).rejects.toThrow(/^Stack Broken failed: Fails .*asked to fail Create\nNot deployed because of the failure: After$/);
    expect(stackRuns(d)).toEqual(['Broken', 'Other']);
    expect(d.deployer.deployedStacks().map(s => s.id)).toEqual(['Other']);
  });

  test.each([0, -1, 1.5, NaN, Infinity])('concurrency %p is refused, naming the option and the rule', (concurrency) => {
    expect(() => new LocalDeployer({ assemblyDir: 'cdk.out', concurrency })).toThrow(
      new Error(`LocalDeployerOptions.concurrency must be a positive integer (got ${concurrency})`));
  });
});

describe('scheduling', () => {
  const deps: Record<string, string[]> = { C: ['A'], D: ['B'], E: ['C', 'D'] };
  const depsOf = (id: string) => deps[id] ?? [];

  async function trace(ids: string[], concurrency?: number): Promise<string[]> {
    const log: string[] = [];
    await runGraph(ids, depsOf, async id => {
      log.push(`start ${id}`);
      await new Promise(r => setTimeout(r, 5));
      log.push(`end ${id}`);
    }, { stopOnFailure: false, concurrency });
    return log;
  }

  test('runGraph with concurrency 1 runs the nodes one at a time, the first ready one in `ids` first', async () => {
    expect(await trace(['B', 'A', 'D', 'C', 'E'], 1)).toEqual([
      'start B', 'end B', 'start A', 'end A', 'start D', 'end D', 'start C', 'end C', 'start E', 'end E',
    ]);
    expect(await trace(['E', 'D', 'C', 'B', 'A'], 1)).toEqual([
      'start B', 'end B', 'start D', 'end D', 'start A', 'end A', 'start C', 'end C', 'start E', 'end E',
    ]);
  });

  test('runGraph with concurrency 2 never runs more than two nodes at once', async () => {
    expect(await trace(['A', 'B', 'C', 'D', 'E'], 2)).toEqual([
      'start A', 'start B', 'end A', 'start C', 'end B', 'start D', 'end C', 'end D', 'start E', 'end E',
    ]);
  });

  test("cliOrder: the CDK CLI's topological sort (rounds of ready stacks, each sorted by id)", () => {
    expect(cliOrder(['E', 'D', 'C', 'B', 'A'], depsOf)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(cliOrder(['Consumer', 'Zeta', 'Alpha'], id => (id === 'Consumer' ? ['Zeta'] : []))).toEqual(['Alpha', 'Zeta', 'Consumer']);
    expect(cliOrder(['b', 'B', 'a'], () => [])).toEqual(['B', 'a', 'b']);
    expect(cliOrder(['X'], () => ['Outside'])).toEqual(['X']);
    expect(() => cliOrder(['X', 'Y'], id => (id === 'X' ? ['Y'] : ['X']))).toThrow('Circular dependency between stacks: X -> Y -> X');
  });
});
