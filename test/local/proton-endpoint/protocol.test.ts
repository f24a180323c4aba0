import { request } from 'node:http';
import {
  CreateEnvironmentAccountConnectionCommand,
  GetEnvironmentAccountConnectionCommand,
  ListEnvironmentAccountConnectionsCommand,
  ProtonClient,
} from '@aws-sdk/client-proton';
import { ENV, MGMT, REGION, useEndpointUnderTest } from './endpoint-test-kit';
import { credentialsForAccount } from '../../../local/local-credentials';
import { startLocalProton } from '../../../local/proton-endpoint';

const AUTH = (akid = `LOCAL${ENV}`, scope = `${REGION}/proton`) =>
  `AWS4-HMAC-SHA256 Credential=${akid}/20260101/${scope}/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd`;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

const lines: string[] = [];
const endpoint = useEndpointUnderTest({ accessKeys: { AKIAEXAMPLEENVIRONMENT: ENV }, log: (line) => lines.push(line) });

function raw(options: { method?: string; path?: string; target?: string; body?: string; headers?: Record<string, string> }): Promise<RawResponse> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'authorization': AUTH(),
    ...(options.target ? { 'x-amz-target': `AwsProton20200720.${options.target}` } : {}),
    ...options.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint.proton.url}${options.path ?? '/'}`, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function expectAwsError(res: RawResponse, status: number, type: string, fragment?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['x-amzn-errortype']).toBe(type);
  expect(res.headers['content-type']).toBe('application/x-amz-json-1.0');
  expect(res.json.__type).toBe(type);
  expect(typeof res.json.message).toBe('string');
  if (fragment) expect(res.json.message).toContain(fragment);
}


describe('awsJson1_0 protocol errors never crash the server', () => {
  test.each([
    ['GET /', { method: 'GET' }, 400, 'UnknownOperationException', 'POST'],
    ['PUT /', { method: 'PUT', target: 'GetEnvironmentAccountConnection', body: '{}' }, 400, 'UnknownOperationException', 'POST'],
    ['POST /other', { path: '/other', target: 'GetEnvironmentAccountConnection', body: '{}' }, 400, 'UnknownOperationException', '/other'],
    ['no target', { body: '{}' }, 400, 'UnknownOperationException', 'x-amz-target'],
    ['an unimplemented Proton operation', { target: 'CreateEnvironment', body: '{}' }, 400, 'UnknownOperationException', 'CreateEnvironment'],
    ['another service prefix', { headers: { 'x-amz-target': 'AmazonS3.ListBuckets' }, body: '{}' }, 400, 'UnknownOperationException', 'AmazonS3'],
    ['malformed JSON', { target: 'ListEnvironmentAccountConnections', body: '{"requestedBy":' }, 400, 'SerializationException', 'JSON'],
    ['a JSON array', { target: 'ListEnvironmentAccountConnections', body: '[]' }, 400, 'SerializationException', 'object'],
    ['JSON null', { target: 'ListEnvironmentAccountConnections', body: 'null' }, 400, 'SerializationException', 'object'],
    ['a JSON string', { target: 'ListEnvironmentAccountConnections', body: '"x"' }, 400, 'SerializationException', 'object'],
    ['a wrong content-type', { target: 'ListEnvironmentAccountConnections', body: '{}', headers: { 'content-type': 'text/plain' } }, 400, 'SerializationException', 'content-type'],
    ['an unknown member', { target: 'GetEnvironmentAccountConnection', body: '{"id":"00000000-0000-4000-8000-000000000000","extra":1}' }, 400, 'ValidationException', 'extra'],
    ['a wrongly typed member', { target: 'GetEnvironmentAccountConnection', body: '{"id":5}' }, 400, 'ValidationException', "'id'"],
    ['a missing required member', { target: 'GetEnvironmentAccountConnection', body: '{}' }, 400, 'ValidationException', "'id'"],
    ['a tag that is not a structure', { target: 'CreateEnvironmentAccountConnection', body: JSON.stringify({ environmentName: 'dev', managementAccountId: MGMT, roleArn: `arn:aws:iam::${ENV}:role/R`, tags: ['x'] }) }, 400, 'ValidationException', 'tags'],
    ['environmentName in Update', { target: 'UpdateEnvironmentAccountConnection', body: '{"id":"00000000-0000-4000-8000-000000000000","environmentName":"x"}' }, 400, 'ValidationException', 'environmentName'],
  ] as const)('%s', async (_, options, status, type, fragment) => {
    expectAwsError(await raw(options), status, type, fragment);
  });

  test('an oversized body is a SerializationException', async () => {
    expectAwsError(await raw({ target: 'ListEnvironmentAccountConnections', body: `{"x":"${'a'.repeat(1100 * 1024)}"}` }), 400, 'SerializationException', 'larger');
  });

  test('an empty body is the empty input {} and a valid raw request succeeds with epoch-second timestamps', async () => {
    expectAwsError(await raw({ target: 'ListEnvironmentAccountConnections', body: '' }), 400, 'ValidationException', 'requestedBy');
    const created = await raw({
      target: 'CreateEnvironmentAccountConnection',
      body: JSON.stringify({ environmentName: 'dev', managementAccountId: MGMT, roleArn: `arn:aws:iam::${ENV}:role/R` }),
    });
    expect(created.status).toBe(200);
    expect(created.headers['x-amzn-requestid']).toEqual(expect.any(String));
    const c = created.json.environmentAccountConnection;
    expect(typeof c.requestedAt).toBe('number');
    expect(typeof c.lastModifiedAt).toBe('number');
    expect(Math.abs(c.requestedAt - Date.now() / 1000)).toBeLessThan(5);
    const listed = await raw({ target: 'ListEnvironmentAccountConnections', body: '{"requestedBy":"ENVIRONMENT_ACCOUNT"}' });
    expect(listed.json).toEqual({ environmentAccountConnections: [expect.objectContaining({ id: c.id })] });
  });
});

describe('caller identity', () => {
  test.each([
    ['no Authorization header', { authorization: '' }, 'Authorization'],
    ['a non-SigV4 header', { authorization: 'Bearer abc' }, 'AWS4-HMAC-SHA256'],
    ['a malformed scope', { authorization: AUTH(`LOCAL${ENV}`, 'proton') }, 'scope'],
    ['another service in the scope', { authorization: AUTH(`LOCAL${ENV}`, `${REGION}/s3`) }, "'s3'"],
    ['an unknown access key', { authorization: AUTH('AKIAIOSFODNN7EXAMPLE') }, 'AKIAIOSFODNN7EXAMPLE'],
    ['a LOCAL key without 12 digits', { authorization: AUTH('LOCAL1234') }, 'LOCAL1234'],
  ])('%s is AccessDeniedException (403)', async (_, headers, fragment) => {
    expectAwsError(await raw({ target: 'ListEnvironmentAccountConnections', body: '{"requestedBy":"ENVIRONMENT_ACCOUNT"}', headers }), 403, 'AccessDeniedException', fragment);
  });

  test('denied requests are counted under "unauthenticated"', async () => {
    await raw({ target: 'GetEnvironmentAccountConnection', body: '{}', headers: { authorization: '' } });
    expect(endpoint.proton.admin.callCounts().byAccount).toEqual({ unauthenticated: { GetEnvironmentAccountConnection: 1 } });
  });

  test('the SDK with unknown credentials gets AccessDeniedException', async () => {
    const c = new ProtonClient({ endpoint: endpoint.proton.url, region: REGION, credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } });
    try {
      const err = await c.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' })).catch((e: Error) => e);
      expect((err as Error).name).toBe('AccessDeniedException');
      expect((err as Error).message).toContain('AKIAUNKNOWN');
    } finally {
      c.destroy();
    }
  });

  test('an explicit accessKeys mapping identifies the account; signatures are not checked', async () => {
    const env = new ProtonClient({ endpoint: endpoint.proton.url, region: REGION, credentials: { accessKeyId: 'AKIAEXAMPLEENVIRONMENT', secretAccessKey: 'anything' } });
    const mgmt = new ProtonClient({ endpoint: endpoint.proton.url, region: REGION, credentials: credentialsForAccount(MGMT) });
    try {
      const c = (await env.send(new CreateEnvironmentAccountConnectionCommand({
        environmentName: 'dev', managementAccountId: MGMT, roleArn: `arn:aws:iam::${ENV}:role/R`,
      }))).environmentAccountConnection!;
      expect(c.environmentAccountId).toBe(ENV);
      expect((await mgmt.send(new GetEnvironmentAccountConnectionCommand({ id: c.id }))).environmentAccountConnection!.id).toBe(c.id);
      expect(endpoint.proton.admin.callCounts().byAccount).toEqual({
        [ENV]: { CreateEnvironmentAccountConnection: 1 },
        [MGMT]: { GetEnvironmentAccountConnection: 1 },
      });
      expect(lines.some((l) => l.startsWith(`CreateEnvironmentAccountConnection ${ENV} ${REGION} 200`))).toBe(true);
    } finally {
      env.destroy();
      mgmt.destroy();
    }
  });

  test('startLocalProton refuses a bad accessKeys mapping or quota', async () => {
    await expect(startLocalProton({ accessKeys: { X: '123' } })).rejects.toThrow(/12-digit/);
    await expect(startLocalProton({ quotaPerEnvironmentAccount: -1 })).rejects.toThrow(/quota/);
    await expect(startLocalProton({ faults: { dropRate: 3 } })).rejects.toThrow(/dropRate/);
  });
});

describe('HTTP admin API', () => {
  async function admin(method: string, path: string, body?: unknown): Promise<RawResponse> {
    return raw({ method, path: `/_local${path}`, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'authorization': '', 'content-type': 'application/json' } });
  }

  test('state, attach, detach, events, calls, faults, fail-next, reset', async () => {
    expect((await admin('GET', '/health')).json).toEqual({ ok: true });
    const created = await raw({
      target: 'CreateEnvironmentAccountConnection',
      body: JSON.stringify({ environmentName: 'dev', managementAccountId: MGMT, roleArn: `arn:aws:iam::${ENV}:role/R`, tags: [{ key: 'a', value: 'b' }] }),
    });
    const id = created.json.environmentAccountConnection.id;
    await raw({ target: 'AcceptEnvironmentAccountConnection', body: JSON.stringify({ id }), headers: { authorization: AUTH(`LOCAL${MGMT}`) } });

    const state = await admin('GET', '/state');
    expect(state.json).toMatchObject({ connections: [{ id, status: 'CONNECTED', tags: { a: 'b' }, environments: [] }], orphanedEnvironments: [] });
    expect((await admin('POST', '/attach', { connectionId: id })).json).toMatchObject({ id, environments: ['dev'] });
    expect((await admin('POST', '/detach', { connectionId: id, environmentName: 'dev' })).json).toMatchObject({ id, environments: [] });
    const attachMissing = await admin('POST', '/attach', {});
    expect(attachMissing.status).toBe(400);
    expect(attachMissing.json.error).toContain('connectionId');

    expect((await admin('GET', '/events')).json.events).toHaveLength(4);
    expect((await admin('GET', `/events?account=${MGMT}`)).json.events.map((e: any) => e.detail.status)).toEqual(['PENDING', 'CONNECTED']);

    const calls = (await admin('GET', '/calls')).json;
    expect(calls.calls).toMatchObject({
      total: 2,
      byAccount: { [ENV]: { CreateEnvironmentAccountConnection: 1 }, [MGMT]: { AcceptEnvironmentAccountConnection: 1 } },
    });
    expect(calls.faults).toMatchObject({ ThrottlingException: 0 });

    expect((await admin('POST', '/fail-next', { operation: 'GetEnvironmentAccountConnection', errorName: 'ThrottlingException', count: 2 })).json)
      .toEqual({ scripted: { GetEnvironmentAccountConnection: [{ kind: 'ThrottlingException', remaining: 2 }] } });
    expectAwsError(await raw({ target: 'GetEnvironmentAccountConnection', body: JSON.stringify({ id }) }), 429, 'ThrottlingException');
    expect((await admin('POST', '/fail-next', { operation: 'Nope', errorName: 'ThrottlingException' })).status).toBe(400);
    expect((await admin('POST', '/fail-next', { operation: 'GetEnvironmentAccountConnection', errorName: 'Nope' })).status).toBe(400);

    expect((await admin('POST', '/faults', { seed: 9, internalErrorRate: 0.5 })).json).toEqual({ options: { seed: 9, internalErrorRate: 0.5 } });
    expect((await admin('POST', '/faults', { throttlingRate: 5 })).status).toBe(400);
    const faults = (await admin('GET', '/faults')).json;
    expect(faults).toMatchObject({
      options: { seed: 9, internalErrorRate: 0.5 },
      counts: { ThrottlingException: 1 },
      scripted: { GetEnvironmentAccountConnection: [{ remaining: 1 }] },
    });

    expect((await admin('POST', '/reset-calls')).json).toEqual({ ok: true });
    expect((await admin('GET', '/calls')).json.calls.total).toBe(0);
    expect((await admin('POST', '/reset')).json).toEqual({ ok: true });
    expect((await admin('GET', '/state')).json.connections).toEqual([]);
    expect((await admin('GET', '/faults')).json).toEqual({ options: {}, counts: expect.objectContaining({ ThrottlingException: 0 }), scripted: {} });
  });

  test('unknown routes are 404 and bad JSON is 400', async () => {
    expect((await admin('GET', '/nope')).status).toBe(404);
    expect((await admin('DELETE', '/state')).status).toBe(404);
    const bad = await raw({ method: 'POST', path: '/_local/faults', body: '{', headers: { authorization: '' } });
    expect(bad.status).toBe(400);
    expect((await admin('POST', '/attach', [1])).status).toBe(400);
  });
});
