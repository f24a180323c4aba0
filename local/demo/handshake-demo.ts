import { LocalDeployer } from '../deployer';
import { LocalProton, startLocalProton } from '../proton-endpoint';

/** Options of one run of the handshake demo. */
export interface HandshakeDemoOptions {
  /** The synthesized cloud assembly (cdk.out) of the two-account app. */
  readonly assemblyDir: string;
  readonly log?: (line: string) => void;
}

/** What the demo observed. */
export interface HandshakeDemoResult {
  readonly connectedIds: string[];
  readonly connectionsLeftAfterDestroy: number;
  readonly seconds: number;
}

/**
 * The main job: start the local Proton endpoint, deploy every stack of the assembly in
 * dependency order through the local deployer (environment side files the request, management
 * side accepts it), show the connection CONNECTED, destroy everything, and stop.
 * Throws when the handshake does not end CONNECTED or leaves a connection behind.
 */
export async function runHandshakeDemo(options: HandshakeDemoOptions): Promise<HandshakeDemoResult> {
  const log = options.log ?? console.log;
  const started = Date.now();
  const step = (text: string) => log(`\n==> ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  let endpoint: LocalProton | undefined;
  try {
    step('starting the local AWS Proton endpoint');
    endpoint = await startLocalProton();
    log(`    listening on ${endpoint.url}`);
    const deployer = new LocalDeployer({
      assemblyDir: options.assemblyDir,
      environment: { AWS_ENDPOINT_URL_PROTON: endpoint.url },
      log: (line) => log(`    ${line}`),
    });

    step('deploying the stacks in dependency order: the environment account files the request, the management account accepts it');
    const result = await deployer.deploy();
    for (const [stack, outcome] of Object.entries(result.stacks)) {
      for (const [name, value] of Object.entries(outcome.outputs)) log(`    ${stack}.${name} = ${value}`);
    }

    step('connections on the local endpoint');
    const connections = endpoint.admin.dump().connections;
    for (const c of connections) {
      log(`    ${c.id}  ${c.status.padEnd(9)}  environment "${c.environmentName}"  ${c.environmentAccountId} -> ${c.managementAccountId}  ${c.region}  role ${c.roleArn}`);
    }
    const notConnected = connections.filter((c) => c.status !== 'CONNECTED');
    if (connections.length === 0 || notConnected.length > 0) {
      throw new Error(`expected every connection CONNECTED, found ${connections.length === 0 ? 'none' : notConnected.map((c) => `${c.id} ${c.status}`).join(', ')}`);
    }
    const connectedIds = connections.map((c) => c.id);
    log(`    CONNECTED: ${connectedIds.length} connection(s)`);
    const calls = endpoint.admin.callCounts().byOperation;
    log(`    Proton API calls so far: ${Object.entries(calls).map(([op, n]) => `${op} ${n}`).join(', ')}`);

    step('destroying the stacks in reverse order');
    await deployer.destroy();
    const left = endpoint.admin.dump().connections.length;
    log(`    connections left on the endpoint: ${left}`);
    if (left !== 0) throw new Error(`destroy left ${left} connection(s) behind`);

    const seconds = (Date.now() - started) / 1000;
    step(`done: handshake CONNECTED and cleaned up in ${seconds.toFixed(1)} s`);
    return { connectedIds, connectionsLeftAfterDestroy: left, seconds };
  } finally {
    await endpoint?.close();
  }
}
