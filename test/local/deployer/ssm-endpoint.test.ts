import {
  GetParameterCommand, GetParametersByPathCommand, GetParametersCommand, paginateGetParametersByPath, PutParameterCommand, SSMClient,
} from '@aws-sdk/client-ssm';
import { LocalSsmEndpoint } from '../../../local/deployer/ssm-endpoint';
import { parameterArn, StoredParameter } from '../../../local/deployer/ssm-parameters';
import { credentialsForAccount } from '../../../local/local-credentials';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const A = '222222222222';
const B = '333333333333';
const REGION = 'us-east-1';

function parameter(account: string, name: string, value = `v${name}`): StoredParameter {
  return { Name: name, Type: 'String', Value: value, Version: 1, LastModifiedDate: 1_700_000_000, ARN: parameterArn(account, REGION, name), DataType: 'text' };
}

const store: Record<string, StoredParameter[]> = {
  [`${A}/${REGION}`]: [
    ...Array.from({ length: 25 }, (_, i) => parameter(A, `/app/p${String(i).padStart(2, '0')}`)),
    parameter(A, '/app/deep/x'),
    parameter(A, '/app/deep/y/z'),
    parameter(A, '/other/q'),
    parameter(A, 'flat'),
  ].sort((a, b) => (a.Name < b.Name ? -1 : 1)),
  [`${B}/${REGION}`]: [parameter(B, '/app/b-only')],
};

const endpoint = new LocalSsmEndpoint({ parameters: (account, region) => store[`${account}/${region}`] ?? [] });
let url: string;
const clients: SSMClient[] = [];

function client(account: string, region = REGION): SSMClient {
  const c = new SSMClient({ endpoint: url, region, credentials: credentialsForAccount(account), maxAttempts: 1 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  url = await endpoint.acquire();
});
afterAll(async () => {
  clients.forEach((c) => c.destroy());
  endpoint.release();
  await endpoint.closed();
});

test('GetParametersByPath: the direct children of a path, a page of at most MaxResults at a time, by NextToken (the SDK paginator)', async () => {
  const pages: string[][] = [];
  for await (const page of paginateGetParametersByPath({ client: client(A), pageSize: 10 }, { Path: '/app', Recursive: false })) {
    pages.push((page.Parameters ?? []).map((p) => p.Name!));
  }
  expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
  expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `/app/p${String(i).padStart(2, '0')}`));
  const first = await client(A).send(new GetParametersByPathCommand({ Path: '/app/', MaxResults: 2 }));
  expect(first.Parameters?.map((p) => p.Name)).toEqual(['/app/p00', '/app/p01']);
  expect(first.Parameters?.[0]).toEqual({
    Name: '/app/p00',
    Type: 'String',
    Value: 'v/app/p00',
    Version: 1,
    LastModifiedDate: new Date(1_700_000_000_000),
    ARN: `arn:aws:ssm:us-east-1:${A}:parameter/app/p00`,
    DataType: 'text',
  });
  expect(first.NextToken).toEqual(expect.any(String));
});

test('GetParametersByPath: Recursive takes the whole hierarchy; "/" takes the top level', async () => {
  const names = async (Path: string, Recursive: boolean) => {
    const out: string[] = [];
    for await (const page of paginateGetParametersByPath({ client: client(A) }, { Path, Recursive })) out.push(...(page.Parameters ?? []).map((p) => p.Name!));
    return out;
  };
  expect(await names('/app/deep', false)).toEqual(['/app/deep/x']);
  expect(await names('/app/deep', true)).toEqual(['/app/deep/x', '/app/deep/y/z']);
  expect((await names('/app', true)).length).toBe(27);
  expect(await names('/', false)).toEqual([]);
  expect(await names('/', true)).toHaveLength(28);
});

test('each account and Region sees its own parameters', async () => {
  const page = await client(B).send(new GetParametersByPathCommand({ Path: '/app' }));
  expect(page.Parameters?.map((p) => p.Name)).toEqual(['/app/b-only']);
  expect((await client(A, 'eu-west-1').send(new GetParametersByPathCommand({ Path: '/app' }))).Parameters).toEqual([]);
});

test('GetParameter and GetParameters, by name or ARN; errors as SSM names them', async () => {
  expect((await client(A).send(new GetParameterCommand({ Name: '/other/q' }))).Parameter?.Value).toBe('v/other/q');
  expect((await client(A).send(new GetParameterCommand({ Name: `arn:aws:ssm:us-east-1:${A}:parameter/flat` }))).Parameter?.Name).toBe('flat');
  await expect(client(A).send(new GetParameterCommand({ Name: '/app/b-only' }))).rejects.toMatchObject({ name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
  const many = await client(A).send(new GetParametersCommand({ Names: ['/other/q', '/missing', 'flat'] }));
  expect(many.Parameters?.map((p) => p.Name)).toEqual(['/other/q', 'flat']);
  expect(many.InvalidParameters).toEqual(['/missing']);
  await expect(client(A).send(new GetParametersByPathCommand({ Path: 'app' }))).rejects.toMatchObject({ name: 'ValidationException' });
  await expect(client(A).send(new GetParametersByPathCommand({ Path: '/app', MaxResults: 11 }))).rejects.toMatchObject({ name: 'ValidationException' });
  await expect(client(A).send(new GetParametersByPathCommand({ Path: '/app', NextToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
  await expect(client(A).send(new PutParameterCommand({ Name: '/x', Value: 'y', Type: 'String' })))
    .rejects.toMatchObject({ name: 'UnknownOperationException', message: expect.stringContaining('does not implement AmazonSSM.PutParameter') });
});

test('credentials that name no account are refused', async () => {
  const stranger = new SSMClient({ endpoint: url, region: REGION, credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' }, maxAttempts: 1 });
  clients.push(stranger);
  await expect(stranger.send(new GetParametersByPathCommand({ Path: '/app' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  endpoint.identify('AKIASTRANGER', B);
  expect((await stranger.send(new GetParametersByPathCommand({ Path: '/app' }))).Parameters?.map((p) => p.Name)).toEqual(['/app/b-only']);
});

test('the endpoint listens only while it is held', async () => {
  const other = new LocalSsmEndpoint({ parameters: () => [] });
  const first = await other.acquire();
  const again = await other.acquire();
  expect(again).toBe(first);
  other.release();
  const c = new SSMClient({ endpoint: first, region: REGION, credentials: credentialsForAccount(A), maxAttempts: 1 });
  clients.push(c);
  expect((await c.send(new GetParametersByPathCommand({ Path: '/' }))).Parameters).toEqual([]);
  other.release();
  await other.closed();
  const after = new SSMClient({ endpoint: first, region: REGION, credentials: credentialsForAccount(A), maxAttempts: 1 });
  clients.push(after);
  await expect(after.send(new GetParametersByPathCommand({ Path: '/' }))).rejects.toThrow(/ECONNREFUSED/);
});
