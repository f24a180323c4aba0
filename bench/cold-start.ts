import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { markedJson } from './process-timing';
import { median } from './stats';
import { startLocalProton } from '../local/proton-endpoint';

/** A handler bundle under `assets/`. */
export interface HandlerBundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
}

/** Every `assets/**\/index.js`. */
export function findBundles(assetsDir: string): HandlerBundle[] {
  const found: HandlerBundle[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'index.js') found.push({ name: path.relative(assetsDir, dir), file: full, bytes: fs.statSync(full).size });
    }
  };
  walk(assetsDir);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The CloudFormation Delete event one cold start handles: a placeholder physical id, nothing to
 * delete. The connection handler still looks once (ListEnvironmentAccountConnections) for a request
 * its failed Create may have filed; the acceptor makes no Proton call.
 */
export function deleteEventFor(bundle: HandlerBundle, responseUrl: string, requestId: string): Record<string, unknown> {
  const isConnection = bundle.name.startsWith('connection');
  return {
    RequestType: 'Delete',
    ServiceToken: 'arn:aws:lambda:us-east-1:222222222222:function:bench',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/Bench/00000000-0000-0000-0000-000000000000',
    RequestId: requestId,
    LogicalResourceId: 'Bench',
    ResourceType: isConnection ? 'Custom::ProtonEnvironmentAccountConnection' : 'Custom::ProtonConnectionAcceptance',
    // a Create that never created anything leaves this placeholder: the Delete must touch nothing
    PhysicalResourceId: `not-created-${requestId}`,
    ResourceProperties: isConnection
      ? { ServiceToken: 'x', ManagementAccountId: '111111111111', EnvironmentName: 'dev', RoleArn: 'arn:aws:iam::222222222222:role/bench' }
      : { ServiceToken: 'x', Pairs: ['222222222222/dev'] },
  };
}

export interface ColdStartResult {
  readonly bundle: HandlerBundle;
  readonly runs: number;
  /** Spawn of `node` to the response PUT arriving at the loopback server. */
  readonly spawnToResponseMs: number;
  /** Inside the process: require of the bundle, then handling the event. */
  readonly requireMs: number;
  readonly handleMs: number;
  /** Inside the process: from process start to the first statement of the child script. */
  readonly nodeStartupMs: number;
}

/** A loopback "pre-signed URL" server that records when each response arrives. */
class ResponseServer {
  private readonly server = http.createServer((req, res) => this.onRequest(req, res));
  private readonly waiting = new Map<string, (at: bigint, body: string) => void>();

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  expect(requestId: string): Promise<{ at: bigint; body: string }> {
    return new Promise((resolve) => this.waiting.set(requestId, (at, body) => resolve({ at, body })));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = process.hrtime.bigint();
      const requestId = decodeURIComponent((req.url ?? '').replace(/^\/response\//, ''));
      res.writeHead(200).end();
      this.waiting.get(requestId)?.(at, Buffer.concat(chunks).toString());
      this.waiting.delete(requestId);
    });
  }
}

/** Cold starts of one bundle, `runs` times, one fresh process each. */
export async function measureColdStart(bundle: HandlerBundle, childScript: string, runs: number): Promise<ColdStartResult> {
  const server = new ResponseServer();
  const base = await server.listen();
  const spawnToResponse: number[] = [];
  const requireMs: number[] = [];
  const handleMs: number[] = [];
  const startup: number[] = [];
  // The connection handler's Delete of a placeholder lists the account's connections: answer it locally.
  const proton = await startLocalProton();
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_ENDPOINT_URL_PROTON: proton.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'LOCAL222222222222',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  try {
    for (let r = 0; r < runs; r++) {
      const requestId = `bench-${r}-${Date.now()}`;
      const event = deleteEventFor(bundle, `${base}/response/${encodeURIComponent(requestId)}`, requestId);
      const response = server.expect(requestId);
      const started = process.hrtime.bigint();
      const child = await runChild(childScript, [bundle.file, JSON.stringify(event)], env);
      const { at, body } = await response;
      const status = (JSON.parse(body) as { Status: string }).Status;
      if (status !== 'SUCCESS') throw new Error(`${bundle.name} answered ${body}`);
      spawnToResponse.push(Number(at - started) / 1e6);
      const inner = markedJson<{ startupMs: number; requireMs: number; handleMs: number }>(child, 'COLD_START ');
      requireMs.push(inner.requireMs);
      handleMs.push(inner.handleMs);
      startup.push(inner.startupMs);
    }
  } finally {
    await server.close();
    await proton.close();
  }
  return {
    bundle,
    runs,
    spawnToResponseMs: median(spawnToResponse),
    requireMs: median(requireMs),
    handleMs: median(handleMs),
    nodeStartupMs: median(startup),
  };
}

/** A cold start that takes this long is stuck (e.g. retrying an unreachable endpoint): fail the bench. */
const CHILD_TIMEOUT_MS = 30_000;

function runChild(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0
      ? resolve(Buffer.concat(out).toString())
      : reject(new Error(`cold start exited with ${code}: ${Buffer.concat(err).toString().slice(-1000)}`))));
  });
}
