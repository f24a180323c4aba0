/**
 * Layer 2: the real bundled handlers (assets/, run in child processes by the local deployer) on
 * the synthesized examples, against the local endpoint with seeded faults and every
 * CloudFormation event delivered twice (same RequestId): deploy -> redeploy with a change ->
 * destroy. Needs `npx projen bundle` first.
 *
 * Reproduce one seed: FAULT_DEPLOY_SEEDS=two:103 npx jest test/faults/deployer --coverage=false
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { checkConverged, checkNoDuplicates, checkNoRejections, ExpectedConnection, faultProfile, FaultTally } from './fault-harness';
import { buildMultiEnvironmentApp } from '../../examples/multi-environment-app/multi-environment-app';
import { PLATFORM, PlatformConfig } from '../../examples/multi-environment-app/platform-config';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';
import { DeployEvent, LocalDeployer } from '../../local/deployer';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';

const ASSETS = path.join(__dirname, '..', '..', 'assets', 'connection', 'handler', 'connection-handler.lambda', 'index.js');

type Scenario = 'two' | 'multi';
const DEFAULT_SEEDS: Array<[Scenario, number]> = [
  ...Array.from({ length: 10 }, (_, i): [Scenario, number] => ['two', 101 + i]),
  ...Array.from({ length: 4 }, (_, i): [Scenario, number] => ['multi', 201 + i]),
];
const SEEDS: Array<[Scenario, number]> = process.env.FAULT_DEPLOY_SEEDS
  ? process.env.FAULT_DEPLOY_SEEDS.split(',').map((s) => s.split(':') as [Scenario, string]).map(([k, n]) => [k, Number(n)])
  : DEFAULT_SEEDS;
/**
 * Runs at a time: all of them. A run mostly waits on the SDK's real backoff in the handler
 * processes (a call throttled 6 times in a row sleeps ~30 s), so the file takes as long as its slowest run.
 */
const LANES = 14;
const ROLE_V2 = 'ProtonFaultsRoleV2';
/** The multi-environment app's second version: qa is replaced by qa2 (a new link, the old one removed). */
const PLATFORM_V2: PlatformConfig = {
  ...PLATFORM,
  environmentAccounts: PLATFORM.environmentAccounts.map((a) => ({ ...a, environments: a.environments.map((e) => (e === 'qa' ? 'qa2' : e)) })),
};

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-deployer-'));

/** Synthesizes once, quietly (synth-time validation reports go to the console). */
function synth(name: string, context: Record<string, string>, build: (app: App) => void): string {
  const outdir = path.join(tmpRoot, name);
  const spies = [jest.spyOn(console, 'error'), jest.spyOn(console, 'warn'), jest.spyOn(console, 'log')].map((s) => s.mockImplementation(() => undefined));
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const app = new App({ outdir, context });
    build(app);
    app.synth();
  } finally {
    spies.forEach((s) => s.mockRestore());
    write.mockRestore();
  }
  return outdir;
}

interface Assemblies {
  readonly twoV1: string;
  readonly twoV2: string;
  readonly multiV1: string;
  readonly multiV2: string;
}

/** What one run observed of the deployer's duplicate deliveries. */
class DeliveryWatch {
  public duplicates = 0;
  public readonly problems: string[] = [];
  public readonly lines: string[] = [];
  private readonly ignored = new Map<string, string>();

  private readonly t0 = Date.now();
  public log = (line: string): void => {
    this.lines.push(line);
    if (process.env.FAULT_TIMING === 'lines') console.log(`${((Date.now() - this.t0) / 1000).toFixed(2)} ${line}`);
    const m = /^(\S+) \| (\S+): duplicate delivery of (\w+) \(RequestId [^)]+\): ignored later response (\w+)(?: PhysicalResourceId=(\S+))?/.exec(line);
    if (m) {
      this.duplicates += 1;
      this.ignored.set(`${m[1]}|${m[2]}`, `${m[4]} ${m[5] ?? '-'}`);
    }
  };

  public onEvent = (event: DeployEvent): void => {
    const key = `${event.stack}|${event.logicalId}`;
    const ignored = this.ignored.get(key);
    if (ignored === undefined || !/_(COMPLETE|FAILED)$/.test(event.status)) return;
    this.ignored.delete(key);
    const [status, physicalId] = ignored.split(' ');
    if (/_COMPLETE$/.test(event.status) && status === 'SUCCESS' && event.physicalId && physicalId !== event.physicalId) {
      this.problems.push(`${key}: the two deliveries answered ${event.physicalId} and ${physicalId}`);
    }
  };
}

function connectionsOf(endpoint: LocalProton) {
  return endpoint.admin.dump().connections;
}

async function runDeploySeed(scenario: Scenario, seed: number, assemblies: Assemblies, tally: FaultTally): Promise<'converged' | 'rolled-back' | 'violated'> {
  const label = `${scenario}:${seed}`;
  const endpoint = await startLocalProton({ faults: faultProfile(seed) });
  const watch = new DeliveryWatch();
  const stateFile = path.join(tmpRoot, `state-${scenario}-${seed}.json`);
  const violationsBefore = tally.violations.length;
  const deployer = (assemblyDir: string) => new LocalDeployer({
    assemblyDir,
    stateFile,
    environment: { AWS_ENDPOINT_URL_PROTON: endpoint.url },
    duplicateDelivery: true,
    handlerTimeoutMs: 150_000,
    log: watch.log,
    onEvent: watch.onEvent,
  });
  const [v1, v2] = scenario === 'two' ? [assemblies.twoV1, assemblies.twoV2] : [assemblies.multiV1, assemblies.multiV2];
  let failedPhase: string | undefined;
  const t0 = Date.now();
  const phases: string[] = [];
  const mark = (name: string) => phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  try {
    // ---- deploy ----
    const first = deployer(v1);
    try {
      await first.deploy();
      mark('deploy');
    } catch (error) {
      failedPhase = `deploy: ${(error as Error).message.split('\n')[0]}`;
    }
    if (!failedPhase) {
      checkNoDuplicates(endpoint, tally, label, 'after deploy');
      checkConverged(endpoint, expectedConnections(scenario, first, 'v1'), tally, label, 'after deploy');
      // ---- redeploy with a change ----
      const second = deployer(v2);
      try {
        await second.deploy();
        mark('redeploy');
      } catch (error) {
        failedPhase = `redeploy: ${(error as Error).message.split('\n')[0]}`;
      }
      if (!failedPhase) {
        checkNoDuplicates(endpoint, tally, label, 'after redeploy');
        const want = expectedConnections(scenario, second, 'v2');
        checkConverged(endpoint, want, tally, label, 'after redeploy');
        if (scenario === 'two') {
          const role = connectionsOf(endpoint)[0]?.roleArn ?? '';
          if (!role.endsWith(`:role/${ROLE_V2}`)) tally.violation(label, 'convergenceFailures', `after redeploy: role ${role}, want .../${ROLE_V2}`);
        }
      }
    }
    // ---- destroy (also after a failed deploy: what is left must go) ----
    try {
      await deployer(v2).destroy();
      mark('destroy');
    } catch (error) {
      tally.violation(label, 'orphans', `destroy failed: ${(error as Error).message.split('\n')[0]}`);
    }
    checkConverged(endpoint, [], tally, label, failedPhase ? `after ${failedPhase.split(':')[0]} failed and destroy` : 'after destroy');
    checkNoRejections(endpoint, tally, label);
    for (const problem of watch.problems) tally.violation(label, 'duplicates', problem);
  } finally {
    if (process.env.FAULT_TIMING) console.log(`${label}: ${phases.join(', ')}`);
    tally.runs += 1;
    tally.duplicateDeliveries += watch.duplicates;
    tally.failedResponses += watch.lines.filter((l) => /^\S+ \| \S+ \| FAILED /.test(l)).length;
    tally.addEndpointCounts(endpoint);
    await endpoint.close();
  }
  const violated = tally.violations.length > violationsBefore;
  if (violated || failedPhase) {
    console.log(`${label}: ${violated ? 'VIOLATION' : 'rolled back cleanly'}${failedPhase ? ` (${failedPhase})` : ''}; deployer log:\n${watch.lines.filter((l) => /FAILED|ROLLBACK|Error|duplicate/.test(l)).slice(-60).join('\n')}`);
  }
  if (violated) return 'violated';
  if (failedPhase) {
    tally.rolledBackCleanly += 1;
    return 'rolled-back';
  }
  return 'converged';
}

/** Every link of the deployed assembly CONNECTED, with the role and id the environment stack reports. */
function expectedConnections(scenario: Scenario, deployer: LocalDeployer, version: 'v1' | 'v2'): ExpectedConnection[] {
  if (scenario === 'two') {
    const out = deployer.outputs('EnvironmentAccountStack');
    return [{ environmentAccountId: '222222222222', environmentName: 'dev', roleArn: out.ProtonRoleArn, status: 'CONNECTED', id: out.ConnectionId }];
  }
  const config = version === 'v1' ? PLATFORM : PLATFORM_V2;
  return config.environmentAccounts.flatMap((account) => account.environments.map((environmentName) => {
    const stack = deployer.stackState(`Platform${account.name}`)!;
    const connection = Object.entries(stack.resources).find(([id, r]) => r.type === 'Custom::ProtonEnvironmentAccountConnection' && id.startsWith(`${environmentName.replace(/[^A-Za-z0-9]/g, '')}Connection`))?.[1];
    const role = Object.entries(stack.resources).find(([id, r]) => r.type === 'AWS::IAM::Role' && id.startsWith(`${environmentName.replace(/[^A-Za-z0-9]/g, '')}ProtonRole`))?.[1];
    return {
      environmentAccountId: account.account,
      environmentName,
      roleArn: String(role?.attributes.Arn),
      status: 'CONNECTED' as const,
      id: connection?.physicalId,
    };
  }));
}

describe('faults, through the bundled handlers: deploy -> redeploy -> destroy with duplicate delivery', () => {
  let assemblies: Assemblies;
  beforeAll(() => {
    if (!fs.existsSync(ASSETS)) throw new Error(`${ASSETS} is missing: run \`npx projen bundle\` first`);
    assemblies = {
      twoV1: synth('two-v1', {}, (app) => buildTwoAccountApp(app)),
      twoV2: synth('two-v2', { protonRoleName: ROLE_V2 }, (app) => buildTwoAccountApp(app)),
      multiV1: synth('multi-v1', {}, (app) => buildMultiEnvironmentApp(app, PLATFORM)),
      multiV2: synth('multi-v2', {}, (app) => buildMultiEnvironmentApp(app, PLATFORM_V2)),
    };
  }, 60_000);
  afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

  test(`${SEEDS.length} seeded deploy runs converge with no duplicates, orphans or rejections`, async () => {
    const tally = new FaultTally();
    const started = Date.now();
    const outcomes: Array<[string, string]> = [];
    const queue = [...SEEDS];
    await Promise.all(Array.from({ length: Math.min(LANES, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        outcomes.push([`${next[0]}:${next[1]}`, await runDeploySeed(next[0], next[1], assemblies, tally)]);
      }
    }));
    const rolledBack = outcomes.filter(([, o]) => o === 'rolled-back').map(([s]) => s);
    console.log(tally.summary('faults (bundled handlers, LocalDeployer)',
      `${rolledBack.length > 0 ? ` (${rolledBack.join(', ')})` : ''}; two-account ${SEEDS.filter(([k]) => k === 'two').length} runs, `
      + `multi-environment ${SEEDS.filter(([k]) => k === 'multi').length} runs; ${((Date.now() - started) / 1000).toFixed(1)} s`));
    expect(tally.violations).toEqual([]);
    expect(tally.runs).toBe(SEEDS.length);
    expect(rolledBack.length).toBeLessThanOrEqual(Math.ceil(SEEDS.length * 0.1));
  }, 170_000);
});
