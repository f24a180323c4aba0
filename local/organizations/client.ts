/**
 * A minimal AWS Organizations client for tests (the repository does not depend on `@aws-sdk/client-organizations`):
 * awsJson1_1 requests as the SDK sends them (`POST /`, `content-type: application/x-amz-json-1.1`,
 * `x-amz-target: AWSOrganizationsV20161128.<Operation>`), signed with SigV4 for the `organizations` service, over
 * plain HTTP to a loopback endpoint. No retries: a throttled call fails with TooManyRequestsException, so a caller's
 * own backoff can be tested.
 */
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { LocalCredentials } from '../local-credentials';

export interface LocalOrganizationsClientOptions {
  /** `http://host:port` of the local endpoint (or any awsJson1_1 Organizations endpoint on loopback). */
  readonly endpoint: string;
  readonly credentials: LocalCredentials;
  /** Signing Region (default us-east-1, where the SDK signs Organizations requests in the aws partition). */
  readonly region?: string;
  /** Extra headers on every request (not signed). */
  readonly headers?: Record<string, string>;
}

export interface RawOrganizationsResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A modeled (or protocol) error answer: `name` is the error's `__type`. */
export class OrganizationsCallError extends Error {
  public readonly status: number;
  /** `Reason` of InvalidInputException. */
  public readonly reason?: string;
  public readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>, fallbackName: string) {
    const type = typeof body.__type === 'string' ? body.__type : fallbackName;
    const message = typeof body.Message === 'string' ? body.Message : typeof body.message === 'string' ? body.message : '';
    super(message);
    this.name = type.includes('#') ? type.slice(type.indexOf('#') + 1) : type;
    this.status = status;
    this.reason = typeof body.Reason === 'string' ? body.Reason : undefined;
    this.body = body;
  }
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** SigV4 `Authorization` header of a POST / request with these (lower-case) headers and body. */
export function signOrganizationsRequest(
  headers: Record<string, string>, body: string, credentials: LocalCredentials, region: string, date: Date,
): string {
  const amzDate = date.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const canonicalHeaders = names.map((h) => `${h}:${headers[h].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256Hex(body)].join('\n');
  const scope = `${day}/${region}/organizations/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), 'organizations'), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export class LocalOrganizationsClient {
  private readonly url: URL;
  private readonly region: string;

  constructor(private readonly options: LocalOrganizationsClientOptions) {
    this.url = new URL(options.endpoint);
    this.region = options.region ?? 'us-east-1';
  }

  /** Sends `input` to `operation`; the parsed answer, or throws OrganizationsCallError. */
  public async send<T = Record<string, unknown>>(operation: string, input: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.raw(operation, JSON.stringify(input));
    let body: Record<string, unknown>;
    try {
      body = answer.body === '' ? {} : JSON.parse(answer.body);
    } catch {
      throw new OrganizationsCallError(answer.status, { message: answer.body }, `HTTP ${answer.status}`);
    }
    if (answer.status >= 300) {
      const errorType = answer.headers['x-amzn-errortype'];
      throw new OrganizationsCallError(answer.status, body, typeof errorType === 'string' ? errorType.split(':')[0] : `HTTP ${answer.status}`);
    }
    return body as T;
  }

  /** Every item of a paginated List* operation (follows NextToken until it is absent or null). */
  public async paginate<T = Record<string, unknown>>(
    operation: string, input: Record<string, unknown>, resultKey: string,
  ): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await this.send<Record<string, unknown>>(operation, token === undefined ? input : { ...input, NextToken: token });
      pages += 1;
      items.push(...((page[resultKey] as T[] | undefined) ?? []));
      token = typeof page.NextToken === 'string' ? page.NextToken : undefined;
    } while (token !== undefined);
    return { items, pages };
  }

  /** One signed request with `body` as is; extra headers override the defaults (and are signed). */
  public raw(operation: string, body: string, headers: Record<string, string> = {}): Promise<RawOrganizationsResponse> {
    const signed: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'host': this.url.host,
      'x-amz-date': new Date().toISOString().replace(/[:-]|\.\d{3}/g, ''),
      'x-amz-target': `AWSOrganizationsV20161128.${operation}`,
    };
    for (const [k, v] of Object.entries(headers)) signed[k.toLowerCase()] = v;
    const authorization = signed.authorization ?? signOrganizationsRequest(
      Object.fromEntries(Object.entries(signed).filter(([k]) => k !== 'authorization')), body, this.options.credentials, this.region,
      new Date(`${signed['x-amz-date'].replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')}`),
    );
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: this.url.port,
        method: 'POST',
        path: '/',
        headers: { ...signed, ...(this.options.headers ?? {}), 'authorization': authorization, 'content-length': String(Buffer.byteLength(body)) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
