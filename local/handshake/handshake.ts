import { LocalDeployer } from '../deployer';
import { LocalProton, startLocalProton } from '../proton-endpoint';
import type { DumpedConnection } from '../proton-endpoint';

/** Options of one handshake run. */
export interface HandshakeOptions {
  /** The synthesized cloud assembly (`cdk.out`) of an app that uses this library. */
  readonly assemblyDir: string;
  /** Progress lines. Default: console.log. */
  readonly log?: (line: string) => void;
  /** Extra environment for every handler process. */
  readonly environment?: Record<string, string>;
}

/** What a handshake observed. */
export interface HandshakeResult {
  /** Every connection the app filed, as the endpoint holds it after the deploy. */
  readonly connections: DumpedConnection[];
  /** How many connections were left on the endpoint after the destroy. */
  readonly connectionsLeftAfterDestroy: number;
  readonly seconds: number;
}

/**
 * The handshake of any app: starts a local Proton endpoint, deploys every stack of the assembly
 * in dependency order, one at a time (as `cdk deploy --all` does), prints each connection and its
 * status, destroys everything and stops the endpoint. Throws unless the app filed at least one
 * connection, every one got CONNECTED and none is left after the destroy.
 */
export async function runHandshake(options: HandshakeOptions): Promise<HandshakeResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const step = (text: string) => log(`\n==> ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  let endpoint: LocalProton | undefined;
  try {
    step('starting the local AWS Proton endpoint');
    endpoint = await startLocalProton();
    log(`    listening on ${endpoint.url}`);
    const deployer = new LocalDeployer({
      assemblyDir: options.assemblyDir,
      environment: { ...options.environment, AWS_ENDPOINT_URL_PROTON: endpoint.url },
      log: (line) => log(`    ${line}`),
    });

    step('deploying the stacks in dependency order, one at a time: the environment accounts file their requests, the management account accepts them');
    const deployed = await deployer.deploy();
    for (const [stack, outcome] of Object.entries(deployed.stacks)) {
      for (const [name, value] of Object.entries(outcome.outputs)) log(`    ${stack}.${name} = ${value}`);
    }

    step('connections on the local endpoint');
    const connections = endpoint.admin.dump().connections;
    for (const c of connections) {
      log(`    ${c.id}  ${c.status.padEnd(9)}  environment "${c.environmentName}"  ${c.environmentAccountId} -> ${c.managementAccountId}  ${c.region}  role ${c.roleArn}`);
    }
    const notConnected = connections.filter((c) => c.status !== 'CONNECTED');
    log(`    CONNECTED: ${connections.length - notConnected.length} of ${connections.length} connection(s)`);
    const calls = endpoint.admin.callCounts().byOperation;
    log(`    Proton API calls so far: ${Object.entries(calls).map(([op, n]) => `${op} ${n}`).join(', ')}`);

    step('destroying the stacks in reverse order');
    await deployer.destroy();
    const left = endpoint.admin.dump().connections.length;
    log(`    connections left on the endpoint: ${left}`);

    if (connections.length === 0) throw new Error('the app filed no connection request');
    if (notConnected.length > 0) throw new Error(`not CONNECTED: ${notConnected.map((c) => `${c.id} (environment "${c.environmentName}") ${c.status}`).join(', ')}`);
    if (left !== 0) throw new Error(`destroy left ${left} connection(s) behind`);
    const seconds = (Date.now() - started) / 1000;
    step(`done: ${connections.length} connection(s) CONNECTED and cleaned up in ${seconds.toFixed(1)} s`);
    return { connections, connectionsLeftAfterDestroy: left, seconds };
  } finally {
    await endpoint?.close();
  }
}
