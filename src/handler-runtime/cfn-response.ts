import * as http from 'http';
import * as https from 'https';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** What a lifecycle step decides: the physical id and the attributes to return. */
export interface CustomResourceOutcome {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/** CloudFormation rejects a response body larger than this. */
export const MAX_RESPONSE_BYTES = 4096;

/**
 * The FAILED reason as long as CloudFormation takes it: the whole response body stays within
 * `MAX_RESPONSE_BYTES` (UTF-8), cut at a character boundary with an ellipsis.
 */
export function fitReason(event: CloudFormationCustomResourceEvent, physicalResourceId: string, reason: string): string {
  const body = responseBody(event, { Status: 'FAILED', Reason: '', PhysicalResourceId: physicalResourceId });
  // Measured JSON-escaped, as it is sent; 16 bytes of slack.
  const budget = MAX_RESPONSE_BYTES - Buffer.byteLength(body) - 16;
  const fits = (text: string) => Buffer.byteLength(JSON.stringify(text)) <= budget;
  if (fits(reason)) return reason;
  const characters = Array.from(reason);
  let low = 0;
  let high = characters.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(`${characters.slice(0, middle).join('')}...`)) low = middle;
    else high = middle - 1;
  }
  return `${characters.slice(0, low).join('')}...`;
}

function responseBody(
  event: CloudFormationCustomResourceEvent,
  response: Pick<CloudFormationCustomResourceResponse, 'Status' | 'Reason' | 'PhysicalResourceId' | 'Data'>,
): string {
  return JSON.stringify({
    ...response,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

/**
 * Sends the custom resource's result to the pre-signed `ResponseURL`, as CloudFormation
 * expects (`PUT`, empty content type). Retries a few times on network errors and 5xx.
 */
export async function sendCfnResponse(
  event: CloudFormationCustomResourceEvent,
  response: Pick<CloudFormationCustomResourceResponse, 'Status' | 'Reason' | 'PhysicalResourceId' | 'Data'>,
): Promise<void> {
  const body = responseBody(event, response);
  let lastError: unknown;
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await put(event.ResponseURL, body);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
  throw new Error(`could not deliver the response to CloudFormation: ${String(lastError)}`);
}

function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
