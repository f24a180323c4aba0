/**
 * Runs a Lambda-backed custom resource's handler the way CloudFormation + Lambda would: a CloudFormation-shaped
 * event, delivered to the bundled handler code in a child `node` process, whose response arrives with an HTTP PUT
 * on a loopback "pre-signed URL" served here.
 */
import { spawn } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import type { LambdaFunctionInfo } from './deploy-state';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** The event CloudFormation sends to a custom resource provider. */
export interface CustomResourceEvent {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

export interface CustomResourceResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly physicalId?: string;
  readonly data: Record<string, unknown>;
  readonly noEcho: boolean;
  /** False when the response was synthesized here (timeout, no response, invalid response). */
  readonly received: boolean;
}

export interface InvocationRequest {
  readonly requestType: RequestType;
  readonly serviceToken: string;
  readonly stackId: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly physicalId?: string;
  readonly fn: LambdaFunctionInfo;
  readonly region: string;
  /** The environment of the handler process (the offline preload is appended to its NODE_OPTIONS). */
  readonly env: Record<string, string>;
  /** Effective timeout (the function's Timeout, possibly capped). */
  readonly timeoutMs: number;
  /** How many times the event is delivered (2 emulates Lambda's at-least-once async delivery). */
  readonly deliveries: number;
  /** A line the handler printed; `delivery` is 1-based. */
  readonly onOutput: (line: string, delivery: number) => void;
}

export interface InvocationResult {
  readonly event: CustomResourceEvent;
  /** The first response (which wins), or a synthesized FAILED one. */
  readonly response: CustomResourceResponse;
  /** Responses received after the first one (duplicate deliveries); ignored, as CloudFormation would. */
  readonly ignoredResponses: CustomResourceResponse[];
}

/** CloudFormation's limit on the response body. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * The preload that keeps handler processes offline (look-ups of non-loopback names fail with ENOTFOUND, connects to
 * non-loopback addresses with ECONNREFUSED). Plain CommonJS next to this file, so that plain `node` can load it.
 */
export const OFFLINE_NETWORK_GUARD = path.join(__dirname, 'offline-network-guard.js');

/** `env` with `--require <OFFLINE_NETWORK_GUARD>` appended to its NODE_OPTIONS (which it keeps). */
export function withOfflineNetworkGuard(env: Record<string, string>): Record<string, string> {
  if (!fs.existsSync(OFFLINE_NETWORK_GUARD)) {
    throw new Error(`the offline network guard ${OFFLINE_NETWORK_GUARD} is missing: handlers are not run without it (it must sit next to custom-resource-invoker)`);
  }
  const preload = `--require ${JSON.stringify(OFFLINE_NETWORK_GUARD)}`;
  const existing = (env.NODE_OPTIONS ?? '').trim();
  return { ...env, NODE_OPTIONS: existing ? `${existing} ${preload}` : preload };
}

/** Sends one CloudFormation-shaped event to the function's handler and waits for its response. */
export async function invokeCustomResource(req: InvocationRequest): Promise<InvocationResult> {
  const env = withOfflineNetworkGuard(req.env);
  const requestId = randomUUID();
  const responsePath = `/cloudformation-custom-resource-response/${encodeURIComponent(req.logicalId)}/${requestId}`
    + `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-Signature=${randomBytes(16).toString('hex')}`;
  const responses: CustomResourceResponse[] = [];

  const server = http.createServer((httpReq, httpRes) => {
    if (httpReq.method !== 'PUT' || httpReq.url !== responsePath) {
      httpRes.statusCode = httpReq.url === responsePath ? 405 : 403;
      httpRes.end();
      return;
    }
    const chunks: Buffer[] = [];
    httpReq.on('data', (c: Buffer) => chunks.push(c));
    httpReq.on('end', () => {
      responses.push(parseResponse(Buffer.concat(chunks), event));
      httpRes.statusCode = 200;
      httpRes.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const event: CustomResourceEvent = {
    RequestType: req.requestType,
    ServiceToken: req.serviceToken,
    ResponseURL: `http://127.0.0.1:${port}${responsePath}`,
    StackId: req.stackId,
    RequestId: requestId,
    LogicalResourceId: req.logicalId,
    ResourceType: req.resourceType,
    ResourceProperties: req.properties,
    ...(req.requestType === 'Update' ? { OldResourceProperties: req.oldProperties ?? {} } : {}),
    ...(req.requestType !== 'Create' ? { PhysicalResourceId: req.physicalId } : {}),
  };

  const deadline = Date.now() + req.timeoutMs;
  const awsRequestId = randomUUID();
  const payload = JSON.stringify({
    event,
    handler: req.fn.handler,
    codeDirectory: req.fn.codeDirectory,
    deadline,
    responseHost: '127.0.0.1',
    responsePort: port,
    context: {
      functionName: req.fn.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: req.fn.arn,
      memoryLimitInMB: String(req.fn.memorySize),
      awsRequestId,
      logGroupName: `/aws/lambda/${req.fn.functionName}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
    },
  });

  let timedOut = false;
  const lastErrors: string[] = [];
  const exitCodes: Array<number | null> = [];
  const children = Array.from({ length: Math.max(1, req.deliveries) }, (_, i) => {
    const child = spawn(process.execPath, ['-e', RUNNER_SOURCE], {
      cwd: req.fn.codeDirectory,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const delivery = i + 1;
    pipeLines(child.stdout, line => req.onOutput(line, delivery));
    pipeLines(child.stderr, line => {
      req.onOutput(line, delivery);
      if (/^(ERROR|Runtime\.|Error)/.test(line) || lastErrors.length === 0) lastErrors.push(line);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(payload);
    return child;
  });

  await new Promise<void>(resolve => {
    let exited = 0;
    const timer = setTimeout(() => {
      if (responses.length === 0) timedOut = true;
      for (const c of children) c.kill('SIGKILL');
    }, req.timeoutMs);
    for (const child of children) {
      child.on('error', err => {
        lastErrors.push(String(err));
      });
      child.on('close', code => {
        exitCodes.push(code);
        if (++exited === children.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
  server.closeAllConnections();
  await new Promise<void>(resolve => server.close(() => resolve()));

  if (responses.length > 0) {
    return { event, response: responses[0], ignoredResponses: responses.slice(1) };
  }
  const seconds = (req.timeoutMs / 1000).toFixed(req.timeoutMs % 1000 === 0 ? 0 : 1);
  const reason = timedOut
    ? `the handler did not send a response within ${seconds} s (function timeout; CloudFormation would wait up to an hour, the local deployer fails fast)`
    : `the handler exited (exit code ${exitCodes.join(', ')}) without sending a response to the ResponseURL`
      + (lastErrors.length ? `; last error output: ${lastErrors[lastErrors.length - 1]}` : '');
  return { event, response: { status: 'FAILED', reason, data: {}, noEcho: false, received: false }, ignoredResponses: [] };
}

function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buffer.length > 0) onLine(buffer);
  });
}

function invalid(reason: string): CustomResourceResponse {
  return { status: 'FAILED', reason: `Invalid response object: ${reason}`, data: {}, noEcho: false, received: true };
}

/** Validates a response body the way CloudFormation does. */
export function parseResponse(body: Buffer, event: CustomResourceEvent): CustomResourceResponse {
  if (body.length > MAX_RESPONSE_BYTES) {
    return invalid(`Response object is too long (${body.length} bytes; CloudFormation accepts ${MAX_RESPONSE_BYTES})`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return invalid('the body is not JSON');
  }
  if (json === null || typeof json !== 'object') return invalid('the body is not a JSON object');
  if (json.Status !== 'SUCCESS' && json.Status !== 'FAILED') return invalid(`Status must be SUCCESS or FAILED, got ${JSON.stringify(json.Status)}`);
  for (const key of ['RequestId', 'LogicalResourceId', 'StackId'] as const) {
    if (json[key] !== event[key]) return invalid(`${key} ${JSON.stringify(json[key])} does not match the request's ${JSON.stringify(event[key])}`);
  }
  const physicalId = typeof json.PhysicalResourceId === 'string' && json.PhysicalResourceId.length > 0 ? json.PhysicalResourceId : undefined;
  if (json.Status === 'SUCCESS' && !physicalId) return invalid('PhysicalResourceId is missing');
  if (physicalId && physicalId.length > 1024) return invalid('PhysicalResourceId is longer than 1024 characters');
  if (json.Data !== undefined && json.Data !== null && (typeof json.Data !== 'object' || Array.isArray(json.Data))) {
    return invalid('Data must be an object');
  }
  return {
    status: json.Status,
    reason: typeof json.Reason === 'string' ? json.Reason : undefined,
    physicalId,
    data: (json.Data as Record<string, unknown> | undefined) ?? {},
    noEcho: json.NoEcho === true || json.NoEcho === 'true',
    received: true,
  };
}

/**
 * The program run by `node -e` in the handler process. Reads {event, context, handler, codeDirectory, deadline,
 * responseHost, responsePort} from stdin, loads `<codeDirectory>/<module>` (.js/.cjs via require, .mjs via import),
 * calls the export with (event, context[, callback]) and exits when it settles (as Lambda freezes the sandbox).
 * `https` requests to the response host are routed to the local HTTP server, so that handlers that hard-code
 * `https.request` for the pre-signed URL (like CDK's provider entrypoint) work.
 */
export const RUNNER_SOURCE = String.raw`
'use strict';
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  main(JSON.parse(Buffer.concat(chunks).toString('utf8'))).catch((e) => {
    console.error('Runtime.Error', e && e.stack ? e.stack : e);
    process.exit(1);
  });
});
async function main(p) {
  const http = require('http');
  const https = require('https');
  const fs = require('fs');
  const path = require('path');
  const url = require('url');
  const isResponseHost = (host, port) => host === p.responseHost && (port === undefined || port === null || port === '' || Number(port) === 443 || Number(port) === p.responsePort);
  const toLocal = (args) => {
    const [a, b, c] = args;
    if (typeof a === 'string' || a instanceof URL) {
      const u = new URL(String(a));
      if (!isResponseHost(u.hostname, u.port)) return undefined;
      const base = { hostname: u.hostname, port: p.responsePort, path: u.pathname + u.search };
      if (typeof b === 'function') return [base, b];
      const opts = Object.assign({}, b || {}, base, { protocol: 'http:' });
      delete opts.agent;
      return [opts, c];
    }
    if (a && typeof a === 'object') {
      const host = a.hostname || String(a.host || '').split(':')[0];
      const port = a.port !== undefined ? a.port : String(a.host || '').split(':')[1];
      if (!isResponseHost(host, port)) return undefined;
      const opts = Object.assign({}, a, { protocol: 'http:', hostname: host, port: p.responsePort });
      delete opts.host;
      delete opts.agent;
      return [opts, b];
    }
    return undefined;
  };
  const origRequest = https.request;
  const origGet = https.get;
  https.request = function (...args) { const l = toLocal(args); return l ? http.request(l[0], l[1]) : origRequest.apply(this, args); };
  https.get = function (...args) { const l = toLocal(args); return l ? http.get(l[0], l[1]) : origGet.apply(this, args); };
  try { require('module').syncBuiltinESMExports(); } catch (e) { /* older node */ }

  const dot = p.handler.lastIndexOf('.');
  const modulePath = path.join(p.codeDirectory, p.handler.slice(0, dot));
  const exportName = p.handler.slice(dot + 1);
  let mod;
  if (fs.existsSync(modulePath + '.mjs')) mod = await import(url.pathToFileURL(modulePath + '.mjs').href);
  else mod = require(modulePath);
  const fn = mod && mod[exportName];
  if (typeof fn !== 'function') {
    console.error('Runtime.HandlerNotFound: ' + p.handler + ' is undefined or not exported');
    process.exit(2);
  }
  let settled = false;
  const settle = (err) => {
    if (settled) return;
    settled = true;
    if (err) {
      console.error('ERROR Invoke Error', err && err.stack ? err.stack : JSON.stringify(err));
      process.exit(3);
    }
    process.exit(0);
  };
  const context = Object.assign({}, p.context, {
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, p.deadline - Date.now()),
    done: (err) => settle(err),
    succeed: () => settle(),
    fail: (err) => settle(err || new Error('context.fail')),
  });
  const callback = (err) => settle(err);
  process.on('beforeExit', () => settle());
  try {
    const r = fn(p.event, context, callback);
    if (r && typeof r.then === 'function') r.then(() => settle(), (e) => settle(e || new Error('rejected')));
  } catch (e) {
    settle(e);
  }
}
`;
