import * as fs from 'fs';
import * as path from 'path';
import { median } from './stats';
import { LocalDeployer } from '../local/deployer';
import type { DeployEvent } from '../local/deployer';
import { startLocalProton } from '../local/proton-endpoint';
import type { LocalProton } from '../local/proton-endpoint';
import { HANDSHAKE_ENVIRONMENT_ACCOUNT, HANDSHAKE_ENVIRONMENT_STACK, MANAGEMENT_ACCOUNT, MANAGEMENT_STACK } from './apps/app-spec';
import { CompiledApps } from './compile-apps';
import { synthOnce } from './synth-bench';

const CONNECTION_TYPE = 'Custom::ProtonEnvironmentAccountConnection';
const ACCEPTANCE_TYPE = 'Custom::ProtonConnectionAcceptance';

/** Proton calls of one lifecycle phase, by account then operation. */
export interface PhaseCalls {
  readonly phase: string;
  readonly total: number;
  readonly byAccount: Record<string, Record<string, number>>;
}

export interface LifecycleResult {
  readonly phases: PhaseCalls[];
  readonly total: number;
  /** "request filed" (connection CREATE_COMPLETE) to CONNECTED (acceptance CREATE_COMPLETE), per run. */
  readonly inOrderMs: number[];
  readonly concurrentMs: number[];
  readonly inOrderMedianMs: number;
  readonly concurrentMedianMs: number;
}

/** Timestamps (ms) of the first CREATE_COMPLETE of the connection and of the acceptance. */
class HandshakeClock {
  filedAt?: number;
  connectedAt?: number;
  readonly onEvent = (event: DeployEvent): void => {
    if (event.status !== 'CREATE_COMPLETE') return;
    const now = performance.now();
    if (event.resourceType === CONNECTION_TYPE) this.filedAt ??= now;
    if (event.resourceType === ACCEPTANCE_TYPE) this.connectedAt ??= now;
  };

  get filedToConnectedMs(): number {
    if (this.filedAt === undefined || this.connectedAt === undefined) throw new Error('the handshake did not complete');
    return this.connectedAt - this.filedAt;
  }
}

/** Resolves once the management account has listed its requests (or its deploy ended). */
async function managementHasLooked(endpoint: LocalProton, deploy: Promise<unknown>): Promise<void> {
  let ended = false;
  void deploy.then(() => (ended = true), () => (ended = true));
  while (!ended && !(endpoint.admin.callCounts().byAccount[MANAGEMENT_ACCOUNT]?.ListEnvironmentAccountConnections)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function snapshot(endpoint: LocalProton, phase: string): PhaseCalls {
  const counts = endpoint.admin.callCounts();
  const names: Record<string, string> = { [HANDSHAKE_ENVIRONMENT_ACCOUNT]: 'environment', [MANAGEMENT_ACCOUNT]: 'management' };
  const byAccount: Record<string, Record<string, number>> = {};
  for (const [account, ops] of Object.entries(counts.byAccount)) byAccount[names[account] ?? account] = { ...ops };
  endpoint.admin.resetCallCounts();
  return { phase, total: counts.total, byAccount };
}

/**
 * Section 5: the happy-path lifecycle of one connection through the real bundled handlers and the
 * local deployer (create + accept, role update, delete), counting Proton calls per phase and
 * account; then the filed-to-CONNECTED latency in order and with both stacks deploying at once.
 */
export async function measureLifecycle(apps: CompiledApps, outRoot: string, runs: number, log: (line: string) => void): Promise<LifecycleResult> {
  const v1 = path.join(outRoot, 'handshake-v1');
  const v2 = path.join(outRoot, 'handshake-v2');
  await synthOnce(apps, 'library', { mode: 'handshake', outdir: v1, roleName: 'bench-proton-role-v1' });
  await synthOnce(apps, 'library', { mode: 'handshake', outdir: v2, roleName: 'bench-proton-role-v2' });
  const quiet = () => undefined;

  const endpoint = await startLocalProton();
  const environment = { AWS_ENDPOINT_URL_PROTON: endpoint.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  try {
    // Lifecycle with call counts (and the first in-order latency).
    const stateFile = path.join(outRoot, 'handshake-state.json');
    fs.rmSync(stateFile, { force: true });
    const phases: PhaseCalls[] = [];
    const inOrderMs: number[] = [];
    const clock = new HandshakeClock();
    endpoint.admin.reset();
    await new LocalDeployer({ assemblyDir: v1, stateFile, environment, log: quiet, onEvent: clock.onEvent }).deploy();
    inOrderMs.push(clock.filedToConnectedMs);
    phases.push(snapshot(endpoint, 'create + accept (deploy both stacks)'));
    log(`  create + accept: ${phases[0].total} calls, filed -> CONNECTED ${clock.filedToConnectedMs.toFixed(0)} ms`);
    await new LocalDeployer({ assemblyDir: v2, stateFile, environment, log: quiet }).deploy();
    phases.push(snapshot(endpoint, 'role update (new role name, redeploy)'));
    log(`  role update: ${phases[1].total} calls`);
    await new LocalDeployer({ assemblyDir: v2, stateFile, environment, log: quiet }).destroy();
    phases.push(snapshot(endpoint, 'delete (destroy both stacks)'));
    log(`  delete: ${phases[2].total} calls`);
    const left = endpoint.admin.dump().connections.length;
    if (left !== 0) throw new Error(`the lifecycle left ${left} connection(s) behind`);

    // More in-order runs, then the concurrent runs (management stack started first).
    for (let r = inOrderMs.length; r < runs; r++) inOrderMs.push(await handshake(v1, environment, 'in-order'));
    const concurrentMs: number[] = [];
    for (let r = 0; r < runs; r++) concurrentMs.push(await handshake(v1, environment, 'concurrent'));
    log(`  filed -> CONNECTED: in order ${inOrderMs.map((x) => x.toFixed(0)).join(', ')} ms; concurrent ${concurrentMs.map((x) => x.toFixed(0)).join(', ')} ms`);

    return {
      phases,
      total: phases.reduce((s, p) => s + p.total, 0),
      inOrderMs,
      concurrentMs,
      inOrderMedianMs: median(inOrderMs),
      concurrentMedianMs: median(concurrentMs),
    };

    async function handshake(assemblyDir: string, env: Record<string, string>, how: 'in-order' | 'concurrent'): Promise<number> {
      endpoint.admin.reset();
      const c = new HandshakeClock();
      const deployer = new LocalDeployer({ assemblyDir, environment: env, log: quiet, onEvent: c.onEvent });
      if (how === 'in-order') {
        await deployer.deploy();
      } else {
        // The management stack deploys first and is waiting (its first look found no request)
        // when the environment stack starts; both then deploy at the same time.
        const management = deployer.deploy([MANAGEMENT_STACK]);
        await managementHasLooked(endpoint, management);
        await Promise.all([management, deployer.deploy([HANDSHAKE_ENVIRONMENT_STACK])]);
      }
      await deployer.destroy();
      return c.filedToConnectedMs;
    }
  } finally {
    await endpoint.close();
  }
}
