/**
 * The HTTP server: awsJson1_0 as `@aws-sdk/client-proton` sends it (`POST /`,
 * `content-type: application/x-amz-json-1.0`, `x-amz-target: AwsProton20200720.<Operation>`),
 * plus the admin routes under `/_local/`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ADMIN_PREFIX, Admin, handleAdminRequest, LocalProtonAdmin } from './admin';
import { CallCounter } from './call-counts';
import { CallerIdentity, resolveCaller } from './caller-identity';
import { ConnectionStore, DEFAULT_QUOTA_PER_ENVIRONMENT_ACCOUNT } from './connection-store';
import { ProtonError } from './errors';
import { EventLog } from './events';
import { FaultInjector, FaultOptions, validateFaultOptions } from './faults';
import { OPERATIONS, TARGET_PREFIX } from './operations';

export interface LocalProtonOptions {
  /** Port to listen on (default 0: any free port; see `LocalProton.port`). */
  readonly port?: number;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Access key id -> account id, in addition to the `LOCAL<12-digit account>` convention. */
  readonly accessKeys?: Record<string, string>;
  /** Connections per environment account per Region (default 1000). */
  readonly quotaPerEnvironmentAccount?: number;
  /** Random fault injection (restored by `admin.reset()`). */
  readonly faults?: FaultOptions;
  /** Receives one line per request. */
  readonly log?: (line: string) => void;
}

export interface LocalProton {
  /** `http://<host>:<port>`: pass it as the client's `endpoint`. */
  readonly url: string;
  readonly port: number;
  readonly admin: LocalProtonAdmin;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': String(payload.length),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, error: ProtonError): void {
  send(res, error.status, error.toBody(), { 'x-amzn-errortype': error.errorName });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Starts a local AWS Proton endpoint (environment account connections only). */
export async function startLocalProton(options: LocalProtonOptions = {}): Promise<LocalProton> {
  const host = options.host ?? '127.0.0.1';
  const quota = options.quotaPerEnvironmentAccount ?? DEFAULT_QUOTA_PER_ENVIRONMENT_ACCOUNT;
  if (!Number.isInteger(quota) || quota < 0) {
    throw new Error(`quotaPerEnvironmentAccount must be a non-negative integer (got ${quota})`);
  }
  const initialFaults: FaultOptions = { ...(options.faults ?? {}) };
  validateFaultOptions(initialFaults);
  const accessKeys = { ...(options.accessKeys ?? {}) };
  for (const [key, account] of Object.entries(accessKeys)) {
    if (!/^\d{12}$/.test(account)) throw new Error(`accessKeys["${key}"]: "${account}" is not a 12-digit account id`);
  }
  const log = options.log ?? (() => undefined);

  const eventLog = new EventLog();
  const store = new ConnectionStore(eventLog, quota);
  const counter = new CallCounter();
  const injector = new FaultInjector(initialFaults);
  const admin = new Admin(store, eventLog, counter, injector, initialFaults);

  async function handleProton(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    if (req.method !== 'POST') {
      sendError(res, new ProtonError('UnknownOperationException', `${req.method} is not supported: AWS Proton's awsJson1_0 protocol uses POST /`));
      return;
    }
    const target = header(req, 'x-amz-target');
    const operation = target?.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : undefined;
    if (!operation || !Object.prototype.hasOwnProperty.call(OPERATIONS, operation)) {
      sendError(res, new ProtonError('UnknownOperationException',
        target ? `Unknown operation '${target}' (the local endpoint implements ${TARGET_PREFIX}.{${Object.keys(OPERATIONS).join(',')}})`
          : 'Missing x-amz-target header'));
      return;
    }

    let caller: CallerIdentity | undefined;
    let identityError: ProtonError | undefined;
    try {
      caller = resolveCaller(header(req, 'authorization'), accessKeys);
    } catch (err) {
      identityError = err as ProtonError;
    }
    counter.record(operation, caller?.accountId);
    if (!caller) {
      log(`${operation} ${identityError!.errorName}`);
      sendError(res, identityError!);
      return;
    }

    const decision = injector.decide(operation);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.kind !== undefined) counter.recordFault(operation);
    if (decision.kind === 'ConnectionDrop') {
      log(`${operation} ${caller.accountId} ${caller.region} fault:ConnectionDrop`);
      req.socket.destroy();
      return;
    }
    if (decision.kind !== undefined && decision.kind !== 'ConnectionDropAfterCommit') {
      log(`${operation} ${caller.accountId} ${caller.region} fault:${decision.kind}`);
      sendError(res, new ProtonError(decision.kind, decision.message ?? `Injected ${decision.kind} (${decision.scripted ? 'scripted' : 'random'} fault)`));
      return;
    }

    let result: { status: number; body: unknown; error?: ProtonError };
    try {
      const contentType = header(req, 'content-type') ?? '';
      if (!contentType.toLowerCase().startsWith(CONTENT_TYPE)) {
        throw new ProtonError('SerializationException', `content-type must be ${CONTENT_TYPE} (got '${contentType}')`);
      }
      let input: unknown;
      try {
        input = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
      } catch (err) {
        throw new ProtonError('SerializationException', `The request body is not valid JSON: ${(err as Error).message}`);
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new ProtonError('SerializationException', 'The request body must be a JSON object');
      }
      result = { status: 200, body: OPERATIONS[operation](store, caller, input as Record<string, unknown>) };
    } catch (err) {
      const error = err instanceof ProtonError ? err : new ProtonError('InternalServerException', `Internal error: ${(err as Error)?.message ?? String(err)}`);
      result = { status: error.status, body: error.toBody(), error };
    }

    if (decision.kind === 'ConnectionDropAfterCommit') {
      log(`${operation} ${caller.accountId} ${caller.region} ${result.status} fault:ConnectionDropAfterCommit`);
      req.socket.destroy();
      return;
    }
    log(`${operation} ${caller.accountId} ${caller.region} ${result.status}${result.error ? ` ${result.error.errorName}` : ''}`);
    if (result.error) sendError(res, result.error);
    else send(res, 200, result.body);
  }

  function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): void {
    let body: unknown;
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        const payload = JSON.stringify({ error: 'the request body is not valid JSON' });
        res.writeHead(400, { 'content-type': 'application/json' }).end(payload);
        return;
      }
    }
    const answer = handleAdminRequest(admin, req.method ?? 'GET', url, body);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://local');
        let rawBody: string;
        try {
          rawBody = await readBody(req);
        } catch (err) {
          sendError(res, new ProtonError('SerializationException', err instanceof BodyTooLarge ? err.message : 'could not read the request body'));
          return;
        }
        if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
          handleAdmin(req, res, url, rawBody);
        } else if (url.pathname !== '/') {
          sendError(res, new ProtonError('UnknownOperationException', `No route for ${req.method} ${url.pathname}: AWS Proton's awsJson1_0 protocol uses POST /`));
        } else {
          await handleProton(req, res, rawBody);
        }
      } catch (err) {
        log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
        sendError(res, new ProtonError('InternalServerException', 'Internal error in the local endpoint'));
      }
    })();
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    admin,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
