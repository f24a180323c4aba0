/**
 * The HTTP plumbing the local endpoint's two AWS JSON protocols share (Proton's awsJson1_0 and
 * Organizations' awsJson1_1): reading a header, answering a JSON body or a modeled error, waiting.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

/** An error as the AWS JSON protocols answer it: its HTTP status, `x-amzn-errortype`, and body. */
export interface JsonProtocolError {
  readonly status: number;
  readonly errorName: string;
  toBody(): unknown;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Answers `body` as JSON with `contentType`, a request id and `headers` (nothing once the response has ended). */
export function sendJson(res: ServerResponse, contentType: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(payload.length),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

/** Answers a modeled error: its status, its name in `x-amzn-errortype`, its body. */
export function sendJsonError(res: ServerResponse, contentType: string, error: JsonProtocolError): void {
  sendJson(res, contentType, error.status, error.toBody(), { 'x-amzn-errortype': error.errorName });
}
