/**
 * A loopback endpoint that serves the SSM parameters of the stacks that exist (ssm-parameters.ts) over the
 * protocol the AWS SDK for JavaScript v3 speaks to SSM: awsJson1_1, `POST /` with `x-amz-target: AmazonSSM.<Operation>`.
 * It answers GetParametersByPath (Path, Recursive, MaxResults, NextToken), GetParameter and GetParameters, for the
 * account and Region of the request's credentials (the SigV4 `Credential` scope; signatures are not checked).
 *
 * It listens only while an invocation holds it (`acquire()` ... `release()`), so that nothing is left listening
 * when the deployer is idle.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { accountFromAccessKeyId } from '../local-credentials';
import { StoredParameter } from './ssm-parameters';

const HOST = '127.0.0.1';
const TARGET_PREFIX = 'AmazonSSM.';
const SERVED = ['GetParametersByPath', 'GetParameter', 'GetParameters'];
/** SSM's page size limit for GetParametersByPath. */
const MAX_RESULTS = 10;
/** SSM's limit on the names of one GetParameters call. */
const MAX_NAMES = 10;
const NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;

/** An error as awsJson1_1 sends it: HTTP 400, `{ "__type": name, "message": ... }`. */
class SsmError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

export interface SsmEndpointOptions {
  /** The parameters of an account in a Region, as they are now. */
  readonly parameters: (account: string, region: string) => StoredParameter[];
}

interface Listening {
  readonly server: http.Server;
  readonly url: string;
}

export class LocalSsmEndpoint {
  private leases = 0;
  private listening: Promise<Listening> | undefined;
  private closing: Promise<void> = Promise.resolve();
  private readonly identities = new Map<string, string>();

  constructor(private readonly options: SsmEndpointOptions) {}

  /** Remembers that `accessKeyId` is `account`'s (the credentials given to a handler; default: the LOCAL<account> convention). */
  identify(accessKeyId: string, account: string): void {
    this.identities.set(accessKeyId, account);
  }

  /** Starts listening (or shares the running server) for one invocation; resolves to the endpoint url. */
  async acquire(): Promise<string> {
    this.leases++;
    if (!this.listening) {
      const listening = this.closing.then(() => this.listen());
      this.listening = listening;
      listening.catch(() => {
        if (this.listening === listening) this.listening = undefined;
      });
    }
    try {
      return (await this.listening).url;
    } catch (err) {
      this.leases--;
      throw err;
    }
  }

  /** Ends one `acquire()`; the server closes when the last one ends. */
  release(): void {
    if (this.leases === 0 || --this.leases > 0) return;
    const listening = this.listening;
    this.listening = undefined;
    if (!listening) return;
    this.closing = listening.then(({ server }) => new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }), () => undefined);
  }

  /** Resolves when the server is closed (after the last release). */
  async closed(): Promise<void> {
    await this.closing;
  }

  private async listen(): Promise<Listening> {
    const server = http.createServer((req, res) => this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
    server.unref();
    return { server, url: `http://${HOST}:${(server.address() as AddressInfo).port}` };
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let status = 200;
      let body: unknown;
      try {
        body = this.answer(req, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        const e = err instanceof SsmError ? err : new SsmError('InternalServerError', String(err));
        status = err instanceof SsmError ? 400 : 500;
        res.setHeader('x-amzn-ErrorType', e.type);
        body = { __type: e.type, message: e.message };
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId() });
      res.end(text);
    });
  }

  private answer(req: http.IncomingMessage, raw: string): unknown {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
      throw new SsmError('UnknownOperationException', `the local SSM endpoint takes awsJson1_1 requests: POST / with x-amz-target: ${TARGET_PREFIX}<Operation> (got ${req.method} ${req.url} ${target || 'without x-amz-target'})`);
    }
    const operation = target.slice(TARGET_PREFIX.length);
    if (!SERVED.includes(operation)) {
      throw new SsmError('UnknownOperationException', `the local deployer's SSM endpoint does not implement ${target} (it serves ${SERVED.join(', ')})`);
    }
    const { account, region } = this.caller(req);
    let input: Record<string, unknown>;
    try {
      input = (raw.trim() === '' ? {} : JSON.parse(raw)) as Record<string, unknown>;
    } catch {
      throw new SsmError('SerializationException', 'the request body is not JSON');
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new SsmError('SerializationException', 'the request body is not a JSON object');
    const parameters = this.options.parameters(account, region);
    switch (operation) {
      case 'GetParametersByPath': return getParametersByPath(parameters, input);
      case 'GetParameter': {
        const name = requiredString(input, 'Name');
        const found = lookUp(parameters, name);
        if (!found) throw new SsmError('ParameterNotFound', `Parameter ${name} not found.`);
        return { Parameter: found };
      }
      default: {
        const names = input.Names;
        if (!Array.isArray(names) || names.length < 1 || names.length > MAX_NAMES || names.some(n => typeof n !== 'string')) {
          throw new SsmError('ValidationException', `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must be a list of 1 to ${MAX_NAMES} names`);
        }
        const found: StoredParameter[] = [];
        const invalid: string[] = [];
        for (const name of new Set(names as string[])) {
          const p = lookUp(parameters, name);
          if (p) found.push(p);
          else invalid.push(name);
        }
        return { Parameters: found, InvalidParameters: invalid };
      }
    }
  }

  /** The account and Region of the request's SigV4 credential scope. */
  private caller(req: http.IncomingMessage): { account: string; region: string } {
    const auth = String(req.headers.authorization ?? '');
    const m = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/.exec(auth);
    if (!m) throw new SsmError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const [, accessKeyId, region] = m;
    const account = this.identities.get(accessKeyId) ?? accountFromAccessKeyId(accessKeyId);
    if (!account) throw new SsmError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    return { account, region };
  }
}

function requestId(): string {
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2, 10)}`;
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const v = input[field];
  if (typeof v !== 'string' || v.length === 0) {
    throw new SsmError('ValidationException', `1 validation error detected: Value at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return v;
}

/** A parameter by name or ARN. */
function lookUp(parameters: readonly StoredParameter[], nameOrArn: string): StoredParameter | undefined {
  return parameters.find(p => p.Name === nameOrArn || p.ARN === nameOrArn);
}

interface PageToken {
  readonly offset: number;
  readonly path: string;
  readonly recursive: boolean;
}

function getParametersByPath(parameters: readonly StoredParameter[], input: Record<string, unknown>): unknown {
  const rawPath = requiredString(input, 'Path');
  if (!rawPath.startsWith('/') || !NAME_CHARACTERS.test(rawPath) || rawPath.split('/').length - 1 > 15) {
    throw new SsmError('ValidationException', 'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". '
      + 'It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). '
      + 'Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.');
  }
  const filters = input.ParameterFilters;
  if (Array.isArray(filters) && filters.length > 0) {
    throw new SsmError('ValidationException', 'the local deployer\'s SSM endpoint does not implement ParameterFilters');
  }
  const recursive = input.Recursive === true;
  const maxResults = input.MaxResults === undefined ? MAX_RESULTS : input.MaxResults;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
    throw new SsmError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`);
  }
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  let offset = 0;
  if (input.NextToken !== undefined) {
    const token = decodeToken(input.NextToken);
    if (!token || token.path !== path || token.recursive !== recursive) throw new SsmError('InvalidNextToken', 'The specified token isn\'t valid.');
    offset = token.offset;
  }
  const prefix = path === '/' ? '/' : `${path}/`;
  const matching = parameters.filter(p => p.Name.startsWith(prefix) && p.Name.length > prefix.length && (recursive || !p.Name.slice(prefix.length).includes('/')));
  const page = matching.slice(offset, offset + maxResults);
  const next = offset + page.length;
  return {
    Parameters: page,
    ...(next < matching.length ? { NextToken: encodeToken({ offset: next, path, recursive }) } : {}),
  };
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64');
}

function decodeToken(raw: unknown): PageToken | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as PageToken;
    return Number.isInteger(t.offset) && t.offset >= 0 && typeof t.path === 'string' && typeof t.recursive === 'boolean' ? t : undefined;
  } catch {
    return undefined;
  }
}
