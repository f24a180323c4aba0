/**
 * The HTTP server: awsJson1_0 as `@aws-sdk/client-proton` sends it (`POST /`,
 * `content-type: application/x-amz-json-1.0`, `x-amz-target: AwsProton20200720.<Operation>`),
 * plus the admin routes under `/_local/`.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { ADMIN_PREFIX, Admin, EndOfSupportControl, handleAdminRequest, LocalProtonAdmin } from './admin';
import { CallCounter } from './call-counts';
import { CallerIdentity, resolveCaller } from './caller-identity';
import { ConnectionStore, DEFAULT_QUOTA_PER_ENVIRONMENT_ACCOUNT } from './connection-store';
import { checkEndOfSupportMode, EndOfSupportMode, sendHtml403, SwitchableListener } from './end-of-support';
import { ProtonError } from './errors';
import { EventLog } from './events';
import { FaultInjector, FaultOptions, validateFaultOptions } from './faults';
import { header, sendJson, sendJsonError, sleep } from './json-http';
import { OPERATIONS, TARGET_PREFIX } from './operations';
import type { OrganizationDocument } from '../organizations/document';
import type { OrganizationsFaultOptions } from '../organizations/faults';
import { isOrganizationsTarget, OrganizationsService } from '../organizations/service';

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
  /**
   * Start in an end-of-support mode (AWS Proton's API was shut down on 2026-10-07; how calls fail since is not
   * documented). `refuse-connections`: the endpoint picks its port, then stops listening, so clients get ECONNREFUSED.
   * `html-403`: every Proton API request gets HTTP 403 with a CDN-style HTML page (`content-type: text/html`, no AWS
   * error headers); the `/_local/*` admin routes keep working. Default: none. Switch at run time with
   * `admin.setEndOfSupport(mode)`; `admin.reset()` does not change it.
   */
  readonly endOfSupport?: EndOfSupportMode;
  /**
   * Also serve AWS Organizations' read operations (awsJson1_1, `x-amz-target: AWSOrganizationsV20161128.*`) on the
   * same port, for this organization (validated at start: OrganizationDocumentError names each bad field). Without
   * it every Organizations call answers AWSOrganizationsNotInUseException. See `local/organizations/README.md`.
   */
  readonly organization?: OrganizationDocument;
  /** Fault injection for the Organizations operations (apart from `faults`, which are Proton's). */
  readonly organizationsFaults?: OrganizationsFaultOptions;
}

export interface LocalProton {
  /** `http://<host>:<port>`: pass it as the client's `endpoint`. It stays the same across end-of-support switches. */
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


function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, CONTENT_TYPE, status, body, headers);
}

function sendError(res: ServerResponse, error: ProtonError): void {
  sendJsonError(res, CONTENT_TYPE, error);
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
  let endOfSupport = checkEndOfSupportMode(options.endOfSupport, 'endOfSupport');

  const eventLog = new EventLog();
  const store = new ConnectionStore(eventLog, quota);
  const counter = new CallCounter();
  const injector = new FaultInjector(initialFaults);
  const organizations = new OrganizationsService({ organization: options.organization, faults: options.organizationsFaults, accessKeys, log });
  const endOfSupportControl: EndOfSupportControl = {
    mode: () => endOfSupport,
    set: async (mode) => {
      const next = checkEndOfSupportMode(mode, 'setEndOfSupport(mode)');
      const previous = endOfSupport;
      endOfSupport = next; // at once: requests that arrive meanwhile are answered the new way
      try {
        await (next === 'refuse-connections' ? listener.stop() : listener.start());
      } catch (err) {
        endOfSupport = listener.isListening ? previous : 'refuse-connections';
        throw err;
      }
    },
  };
  const admin = new Admin(store, eventLog, counter, injector, initialFaults, endOfSupportControl, organizations.admin);

  /** The operation an `x-amz-target` header names, when the local endpoint implements it. */
  function operationOf(req: IncomingMessage): { target?: string; operation?: string } {
    const target = header(req, 'x-amz-target');
    const operation = target?.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : undefined;
    return { target, operation: operation && Object.prototype.hasOwnProperty.call(OPERATIONS, operation) ? operation : undefined };
  }

  /** html-403 mode: a CDN-style page for every non-admin request; Proton API requests are still counted. */
  function handleEndOfSupport(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const { operation } = req.method === 'POST' && url.pathname === '/' ? operationOf(req) : {};
    if (operation) {
      let account: string | undefined;
      try {
        account = resolveCaller(header(req, 'authorization'), accessKeys).accountId;
      } catch {
        account = undefined;
      }
      counter.record(operation, account);
    }
    log(`${operation ?? `${req.method} ${url.pathname}`} 403 end-of-support:html-403`);
    sendHtml403(res);
  }

  async function handleProton(req: IncomingMessage, res: ServerResponse, rawBody: string): Promise<void> {
    if (req.method !== 'POST') {
      sendError(res, new ProtonError('UnknownOperationException', `${req.method} is not supported: AWS Proton's awsJson1_0 protocol uses POST /`));
      return;
    }
    const { target, operation } = operationOf(req);
    if (!operation) {
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
    if (answer.after) {
      const after = answer.after;
      res.once('finish', () => after().catch((err: unknown) => log(`admin ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`)));
    }
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
        } else if (endOfSupport === 'refuse-connections') {
          req.socket.destroy(); // arrived while the listener was being closed
        } else if (isOrganizationsTarget(header(req, 'x-amz-target'))) {
          await organizations.handle(req, res, url, rawBody); // AWS Organizations was not shut down with Proton
        } else if (endOfSupport === 'html-403') {
          handleEndOfSupport(req, res, url);
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

  const listener = new SwitchableListener(server, host);
  await listener.start(options.port ?? 0);
  if (endOfSupport === 'refuse-connections') await listener.stop();
  const port = listener.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    admin,
    close: () => {
      closed ??= listener.close();
      return closed;
    },
  };
}
