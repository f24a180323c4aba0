/**
 * Continuous acceptance's event path, through the real bundled handlers and the local deployer:
 * the management stack (its acceptor lists the pair, does not wait) is deployed and its rules run
 * (`rules.start()`); then the environment stack files its request, and AWS Proton's PENDING event
 * reaches the acceptor's event rule, whose sweep accepts it. Measured from the connection's
 * CREATE_COMPLETE to CONNECTED on the endpoint, with the endpoint polled every `WATCH_MS`.
 */
import * as path from 'path';
import { HANDSHAKE_ENVIRONMENT_STACK, MANAGEMENT_ACCOUNT, MANAGEMENT_STACK } from './apps/app-spec';
import { CompiledApps } from './compile-apps';
import { median } from './stats';
import { synthOnce } from './synth-bench';
import { LocalDeployer } from '../local/deployer';
import { startLocalProton } from '../local/proton-endpoint';
import type { LocalProton } from '../local/proton-endpoint';

const CONNECTION_TYPE = 'Custom::ProtonEnvironmentAccountConnection';
/** How often the endpoint is read for the connection's status. */
const WATCH_MS = 10;
/** How often the deployer reads AWS Proton's events for the rules (its default). */
export const EVENT_POLL_MS = 100;
const GIVE_UP_MS = 60_000;

/** One run's instants (ms, `Date.now()`), all on the same clock. */
export interface EventPathRun {
  /** The connection's CREATE_COMPLETE (LocalDeployer `onEvent`). */
  readonly createCompleteToConnectedMs: number;
  /** The request first seen on the endpoint (PENDING). */
  readonly filedToConnectedMs: number;
  /** From the request first seen to the sweep's first Proton call (event read, rule match, handler process start). */
  readonly filedToSweepMs: number;
  /** From the sweep's first Proton call to CONNECTED (list, accept). */
  readonly sweepToConnectedMs: number;
}

export interface EventPathResult {
  readonly runs: EventPathRun[];
  /** Median CREATE_COMPLETE → CONNECTED: the figure the target judges. */
  readonly medianMs: number;
  readonly medianFiledMs: number;
  readonly medianFiledToSweepMs: number;
  readonly medianSweepToConnectedMs: number;
  readonly eventPollMs: number;
  readonly watchMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the endpoint until the one connection is CONNECTED; returns when it was first seen, swept, connected. */
async function watchConnection(endpoint: LocalProton): Promise<{ seenAt: number; sweptAt: number; connectedAt: number }> {
  const started = Date.now();
  let seenAt: number | undefined;
  let sweptAt: number | undefined;
  while (Date.now() - started < GIVE_UP_MS) {
    const now = Date.now();
    const [connection] = endpoint.admin.dump().connections;
    if (connection) seenAt ??= now;
    if (endpoint.admin.callCounts().byAccount[MANAGEMENT_ACCOUNT]) sweptAt ??= now;
    if (connection?.status === 'CONNECTED') return { seenAt: seenAt!, sweptAt: sweptAt ?? now, connectedAt: now };
    await sleep(WATCH_MS);
  }
  throw new Error(`the event path did not connect within ${GIVE_UP_MS} ms`);
}

export async function measureEventPath(apps: CompiledApps, outRoot: string, runs: number, log: (line: string) => void): Promise<EventPathResult> {
  const assemblyDir = path.join(outRoot, 'event-path');
  await synthOnce(apps, 'library', { mode: 'event-path', outdir: assemblyDir });
  const endpoint = await startLocalProton();
  const environment = { AWS_ENDPOINT_URL_PROTON: endpoint.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const all: EventPathRun[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      endpoint.admin.reset();
      let createdAt: number | undefined;
      const deployer = new LocalDeployer({
        assemblyDir,
        environment,
        eventPollIntervalMs: EVENT_POLL_MS,
        log: () => undefined,
        onEvent: (e) => {
          if (e.status === 'CREATE_COMPLETE' && e.resourceType === CONNECTION_TYPE) createdAt ??= Date.now();
        },
      });
      try {
        await deployer.deploy([MANAGEMENT_STACK]);
        deployer.rules.start();
        await sleep(2 * EVENT_POLL_MS); // the rules are watching AWS Proton's events
        endpoint.admin.resetCallCounts(); // the sweep's calls from here on
        const watched = watchConnection(endpoint);
        await deployer.deploy([HANDSHAKE_ENVIRONMENT_STACK]);
        const { seenAt, sweptAt, connectedAt } = await watched;
        if (createdAt === undefined) throw new Error('the connection did not reach CREATE_COMPLETE');
        all.push({
          createCompleteToConnectedMs: connectedAt - createdAt,
          filedToConnectedMs: connectedAt - seenAt,
          filedToSweepMs: sweptAt - seenAt,
          sweepToConnectedMs: connectedAt - sweptAt,
        });
        log(`  event path run ${r + 1}/${runs}: CREATE_COMPLETE -> CONNECTED ${all[r].createCompleteToConnectedMs} ms (filed -> sweep ${all[r].filedToSweepMs} ms)`);
      } finally {
        await deployer.rules.stop();
        await deployer.destroy();
        await deployer.close();
      }
    }
  } finally {
    await endpoint.close();
  }
  return {
    runs: all,
    medianMs: median(all.map((x) => x.createCompleteToConnectedMs)),
    medianFiledMs: median(all.map((x) => x.filedToConnectedMs)),
    medianFiledToSweepMs: median(all.map((x) => x.filedToSweepMs)),
    medianSweepToConnectedMs: median(all.map((x) => x.sweepToConnectedMs)),
    eventPollMs: EVENT_POLL_MS,
    watchMs: WATCH_MS,
  };
}
