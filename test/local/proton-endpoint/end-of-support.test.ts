import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import * as path from 'node:path';
import {
  CreateEnvironmentAccountConnectionCommand,
  EnvironmentAccountConnection,
  GetEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import { ENV, MGMT, failure, useEndpointUnderTest } from './endpoint-test-kit';
import { ERROR_STATUS, HTML_403_BODY, LocalProton, startLocalProton } from '../../../local/proton-endpoint';

const endpoint = useEndpointUnderTest();
afterEach(async () => {
  await endpoint.proton.admin.setEndOfSupport(undefined);
});

const GET = 'GetEnvironmentAccountConnection';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (no keep-alive); rejects with the socket error. */
function raw(url: string, options: { method?: string; target?: string; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'GET',
      agent: false,
      headers: {
        ...(options.target ? { 'x-amz-target': `AwsProton20200720.${options.target}`, 'content-type': 'application/x-amz-json-1.0' } : {}),
        authorization: `AWS4-HMAC-SHA256 Credential=LOCAL${ENV}/20260101/us-east-1/proton/aws4_request, SignedHeaders=host, Signature=00`,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function refusedCode(url: string): Promise<string | undefined> {
  return raw(url).then(() => undefined, (err: NodeJS.ErrnoException) => err.code);
}

/**
 * A GetEnvironmentAccountConnection by the real SDK in a plain node process. Inside jest the SDK cannot tell node's
 * socket errors for Errors (another realm) and wraps them without their code; a plain process sees them as they are.
 */
function sdkCallInChild(url: string): Promise<{ name: string; code?: string; message: string; httpStatusCode?: number; attempts?: number }> {
  const script = `
    const { ProtonClient, GetEnvironmentAccountConnectionCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-proton'))});
    const client = new ProtonClient({ endpoint: process.argv[1], region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'LOCAL${ENV}', secretAccessKey: 'local' } });
    client.send(new GetEnvironmentAccountConnectionCommand({ id: 'x' })).then(
      () => console.log(JSON.stringify({ name: 'answered' })),
      (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, httpStatusCode: e.$metadata && e.$metadata.httpStatusCode, attempts: e.$metadata && e.$metadata.attempts })));
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, url], { env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout));
    });
  });
}

async function create(server?: LocalProton): Promise<EnvironmentAccountConnection> {
  const out = await endpoint.client(ENV, { server }).send(new CreateEnvironmentAccountConnectionCommand({
    environmentName: 'dev', managementAccountId: MGMT, roleArn: `arn:aws:iam::${ENV}:role/ProtonRole`,
  }));
  return out.environmentAccountConnection!;
}

async function get(id: string | undefined, server?: LocalProton): Promise<EnvironmentAccountConnection> {
  return (await endpoint.client(ENV, { maxAttempts: 1, server }).send(new GetEnvironmentAccountConnectionCommand({ id }))).environmentAccountConnection!;
}

describe('end-of-support: html-403', () => {
  test('the SDK gets a 403 that is none of Proton\'s errors; the admin keeps working; switching back restores the state', async () => {
    const { proton } = endpoint;
    const c = await create();
    const client = endpoint.client(ENV, { maxAttempts: 1 });
    await proton.admin.setEndOfSupport('html-403');
    expect(proton.admin.endOfSupport()).toBe('html-403');
    proton.admin.resetCallCounts();

    const err = await failure(client.send(new GetEnvironmentAccountConnectionCommand({ id: c.id })));
    expect(err.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    expect(Object.keys(ERROR_STATUS)).not.toContain(err.name);
    expect(err.name).toBe('SyntaxError');
    expect(err.message).toMatch(/^Unexpected token '<', "<!DOCTYPE "\.\.\. is not valid JSON\n\s*Deserialization error/);
    expect(await sdkCallInChild(proton.url)).toEqual({
      name: 'SyntaxError', message: expect.stringContaining('Deserialization error'), httpStatusCode: 403, attempts: 1,
    });
    expect(proton.admin.callCounts()).toEqual({
      total: 2, byOperation: { [GET]: 2 }, byAccount: { [ENV]: { [GET]: 2 } }, faultedByOperation: {}, faulted: 0,
    });

    const page = await raw(proton.url, { method: 'POST', target: GET, body: JSON.stringify({ id: c.id }) });
    expect(page.status).toBe(403);
    expect(page.headers['content-type']).toBe('text/html');
    expect(page.headers['x-amzn-errortype']).toBeUndefined();
    expect(page.headers['x-amzn-requestid']).toBeUndefined();
    expect(page.body).toBe(HTML_403_BODY);
    expect(page.body).toContain('<title>403 Forbidden</title>');
    expect(page.body).toContain('Request blocked.');
    expect((await raw(`${proton.url}/anything`)).status).toBe(403);

    expect(await raw(`${proton.url}/_local/health`)).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(JSON.parse((await raw(`${proton.url}/_local/end-of-support`)).body)).toEqual({ mode: 'html-403' });
    expect(JSON.parse((await raw(`${proton.url}/_local/state`)).body).connections).toHaveLength(1);

    await proton.admin.setEndOfSupport(undefined);
    expect(proton.admin.endOfSupport()).toBeUndefined();
    expect(await get(c.id)).toEqual(c);
  });

  test('POST /_local/end-of-support switches to html-403 and back; a bad mode is a 400 naming the rule', async () => {
    const { proton } = endpoint;
    const c = await create();
    const post = (body: unknown) => raw(`${proton.url}/_local/end-of-support`, { method: 'POST', body: JSON.stringify(body) });
    expect(await post({ mode: 'html-403' })).toMatchObject({ status: 200, body: '{"mode":"html-403"}' });
    expect((await failure(get(c.id))).$metadata.httpStatusCode).toBe(403);
    expect(await post({ mode: null })).toMatchObject({ status: 200, body: '{"mode":null}' });
    expect(await get(c.id)).toEqual(c);

    expect(await post({ mode: 'off' })).toMatchObject({ status: 400, body: JSON.stringify({ error: '"mode" must be "refuse-connections", "html-403" or null (got "off")' }) });
    expect(await post({})).toMatchObject({ status: 400, body: JSON.stringify({ error: '"mode" must be "refuse-connections", "html-403" or null (got undefined)' }) });
    expect(proton.admin.endOfSupport()).toBeUndefined();
  });
});

describe('end-of-support: refuse-connections', () => {
  test('the SDK gets ECONNREFUSED (the admin too); state is kept; switching back listens on the same port', async () => {
    const { proton } = endpoint;
    const c = await create();
    const pooled = endpoint.client(ENV, { maxAttempts: 2 });
    expect((await pooled.send(new GetEnvironmentAccountConnectionCommand({ id: c.id }))).environmentAccountConnection).toEqual(c);
    proton.admin.resetCallCounts();

    await proton.admin.setEndOfSupport('refuse-connections');
    expect(proton.admin.endOfSupport()).toBe('refuse-connections');
    const refused = `connect ECONNREFUSED 127.0.0.1:${proton.port}`;
    expect(await sdkCallInChild(proton.url)).toEqual({ name: 'Error', code: 'ECONNREFUSED', message: refused, attempts: 1 });
    const err = await failure(endpoint.client(ENV, { maxAttempts: 1 }).send(new GetEnvironmentAccountConnectionCommand({ id: c.id })));
    expect(err.message).toBe(`AWS SDK error wrapper for Error: ${refused}`); // jest's realm (see sdkCallInChild)
    expect(err.$metadata.attempts).toBe(1);
    // the pooled connection was dropped: its next request fails (socket hang up) and the retry is refused
    const retried = await failure(pooled.send(new GetEnvironmentAccountConnectionCommand({ id: c.id })));
    expect(retried.message).toBe(`AWS SDK error wrapper for Error: ${refused}`);
    expect(retried.$metadata.attempts).toBe(2);
    expect(await refusedCode(`${proton.url}/_local/health`)).toBe('ECONNREFUSED');
    expect(proton.admin.dump().connections.map((x) => x.id)).toEqual([c.id]);
    expect(proton.admin.callCounts().total).toBe(0);

    await proton.admin.setEndOfSupport(undefined);
    expect(await get(c.id)).toEqual(c);
    expect((await pooled.send(new GetEnvironmentAccountConnectionCommand({ id: c.id }))).environmentAccountConnection).toEqual(c);
    expect(proton.admin.callCounts().byOperation).toEqual({ [GET]: 2 });
  });

  test('POST /_local/end-of-support {mode: "refuse-connections"} answers, then stops listening', async () => {
    const { proton } = endpoint;
    const answer = await raw(`${proton.url}/_local/end-of-support`, { method: 'POST', body: '{"mode":"refuse-connections"}' });
    expect(answer).toMatchObject({ status: 200, body: '{"mode":"refuse-connections"}' });
    for (let i = 0; i < 100 && (await refusedCode(`${proton.url}/_local/health`)) !== 'ECONNREFUSED'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await refusedCode(`${proton.url}/_local/health`)).toBe('ECONNREFUSED');
    expect(proton.admin.endOfSupport()).toBe('refuse-connections');
  });

  test('reset() keeps the mode; an unknown mode is refused', async () => {
    const { proton } = endpoint;
    await proton.admin.setEndOfSupport('refuse-connections');
    proton.admin.reset();
    expect(proton.admin.endOfSupport()).toBe('refuse-connections');
    await expect(proton.admin.setEndOfSupport('off' as never)).rejects.toThrow(
      new Error('setEndOfSupport(mode) must be "refuse-connections", "html-403" or undefined (got "off")'));
    expect(proton.admin.endOfSupport()).toBe('refuse-connections');
  });
});

describe('end-of-support: the port taken meanwhile', () => {
  test('leaving refuse-connections rejects naming the address, and the mode stays refuse-connections', async () => {
    const proton = await startLocalProton({ endOfSupport: 'refuse-connections' });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(proton.port, '127.0.0.1', resolve));
    try {
      await expect(proton.admin.setEndOfSupport(undefined)).rejects.toThrow(
        new Error(`the local endpoint cannot listen on 127.0.0.1:${proton.port}: listen EADDRINUSE: address already in use 127.0.0.1:${proton.port}`));
      expect(proton.admin.endOfSupport()).toBe('refuse-connections');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      await proton.close();
    }
  });
});

describe('end-of-support at startup', () => {
  test('startLocalProton({ endOfSupport }) starts refusing or blocking; the option is checked; close() works in every mode', async () => {
    const refusing = await startLocalProton({ endOfSupport: 'refuse-connections' });
    try {
      expect(refusing.port).toBeGreaterThan(0);
      expect(refusing.url).toBe(`http://127.0.0.1:${refusing.port}`);
      expect(await refusedCode(`${refusing.url}/_local/health`)).toBe('ECONNREFUSED');
      await refusing.admin.setEndOfSupport(undefined);
      const c = await create(refusing);
      expect(await get(c.id, refusing)).toEqual(c);
      await refusing.admin.setEndOfSupport('refuse-connections');
    } finally {
      await refusing.close();
    }
    await expect(refusing.admin.setEndOfSupport(undefined)).rejects.toThrow('the local endpoint is closed');

    const blocking = await startLocalProton({ endOfSupport: 'html-403' });
    try {
      expect((await raw(blocking.url, { method: 'POST', target: GET, body: '{"id":"x"}' })).status).toBe(403);
      expect(blocking.admin.callCounts().byOperation).toEqual({ [GET]: 1 });
    } finally {
      await blocking.close();
    }

    await expect(startLocalProton({ endOfSupport: 'gone' as never })).rejects.toThrow(
      new Error('endOfSupport must be "refuse-connections", "html-403" or undefined (got "gone")'));
  });
});

describe('cdk-proton-local endpoint --end-of-support', () => {
  const ROOT = path.join(__dirname, '..', '..', '..');
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
  });

  /** Starts the CLI and resolves with its first stdout line (or its exit code and stderr when it exits first). */
  function startCli(args: string[]): Promise<{ line?: string; exitCode?: number | null; stderr: string }> {
    const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'local/bin/cdk-proton-local.ts'), 'endpoint', ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    return new Promise((resolve) => {
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString('utf8');
        if (stdout.includes('\n')) resolve({ line: stdout.split('\n')[0], stderr });
      });
      child.on('exit', (exitCode) => resolve({ exitCode, stderr }));
    });
  }

  test('html-403 and refuse-connections from the command line; a bad mode exits 2 naming the flag', async () => {
    const blocking = await startCli(['--quiet', '--end-of-support', 'html-403']);
    const url = /^local-proton listening on (http:\/\/127\.0\.0\.1:\d+) \(end-of-support: html-403\)$/.exec(blocking.line ?? '')?.[1];
    expect(url).toBeDefined();
    expect((await raw(url!, { method: 'POST', target: GET, body: '{}' })).body).toBe(HTML_403_BODY);

    const refusing = await startCli(['--quiet', '--end-of-support=refuse-connections']);
    const refusedUrl = /^local-proton refusing connections on (http:\/\/127\.0\.0\.1:\d+) \(end-of-support: refuse-connections\)$/.exec(refusing.line ?? '')?.[1];
    expect(refusedUrl).toBeDefined();
    expect(await refusedCode(refusedUrl!)).toBe('ECONNREFUSED');

    const bad = await startCli(['--end-of-support', 'later']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('cdk-proton-local endpoint: --end-of-support must be "refuse-connections", "html-403" (got "later")');
  }, 60_000);
});
