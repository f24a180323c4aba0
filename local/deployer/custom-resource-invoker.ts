/**
 * Runs a Lambda-backed custom resource's handler the way CloudFormation + Lambda would: a CloudFormation-shaped
 * event, delivered to the bundled handler code in a child `node` process (handler-process.ts), whose response arrives
 * with an HTTP PUT on a loopback "pre-signed URL" served here and is validated as CloudFormation validates it.
 */
import { randomBytes, randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { HandlerRun, runHandler } from './handler-process';
import { customResourceEvent, CustomResourceEvent, CustomResourceRequest } from './handler-protocol';

export type { CustomResourceEvent, CustomResourceRequest, RequestType } from './handler-protocol';
export { OFFLINE_NETWORK_GUARD, withOfflineNetworkGuard } from './handler-process';

export interface CustomResourceResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly physicalId?: string;
  readonly data: Record<string, unknown>;
  readonly noEcho: boolean;
  /** False when the response was synthesized here (timeout, no response, invalid response). */
  readonly received: boolean;
}

export interface InvocationRequest extends CustomResourceRequest, Pick<HandlerRun<CustomResourceEvent>, 'fn' | 'env' | 'timeoutMs' | 'onOutput'> {
  readonly region: string;
  /** How many times the event is delivered, concurrently (2 emulates Lambda's at-least-once async delivery). */
  readonly deliveries: number;
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

const RESPONSE_HOST = '127.0.0.1';

/** Sends one CloudFormation-shaped event to the function's handler and waits for its response. */
export async function invokeCustomResource(req: InvocationRequest): Promise<InvocationResult> {
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
    server.listen(0, RESPONSE_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const event = customResourceEvent(req, { ResponseURL: `http://${RESPONSE_HOST}:${port}${responsePath}`, RequestId: requestId });

  let run;
  try {
    run = await runHandler({
      fn: req.fn,
      event,
      env: req.env,
      timeoutMs: req.timeoutMs,
      copies: req.deliveries,
      onOutput: req.onOutput,
      responseServer: { host: RESPONSE_HOST, port },
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  if (responses.length > 0) {
    return { event, response: responses[0], ignoredResponses: responses.slice(1) };
  }
  const seconds = (req.timeoutMs / 1000).toFixed(req.timeoutMs % 1000 === 0 ? 0 : 1);
  const reason = run.killedAtTimeout
    ? `the handler did not send a response within ${seconds} s (function timeout; CloudFormation would wait up to an hour, the local deployer fails fast)`
    : `the handler exited (exit code ${run.exitCodes.join(', ')}) without sending a response to the ResponseURL`
      + (run.lastError !== undefined ? `; last error output: ${run.lastError}` : '');
  return { event, response: { status: 'FAILED', reason, data: {}, noEcho: false, received: false }, ignoredResponses: [] };
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
