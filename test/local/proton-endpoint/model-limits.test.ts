/**
 * The local endpoint against the limits of AWS Proton's service model (botocore `proton/2020-07-20`):
 * shape `Arn` for the tag operations' `resourceArn`, tag keys the model allows, and role ARNs that the output
 * shapes could not return. Every case goes through the real `@aws-sdk/client-proton`.
 */
import { request } from 'node:http';
import {
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommandInput,
  EnvironmentAccountConnection,
  GetEnvironmentAccountConnectionCommand,
  ListEnvironmentAccountConnectionsCommand,
  ListTagsForResourceCommand,
  ProtonClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import { ENV, MGMT, REGION, SdkError, failure, useEndpointUnderTest } from './endpoint-test-kit';

const endpoint = useEndpointUnderTest();

function client(account: string): ProtonClient {
  return endpoint.client(account, { maxAttempts: 1 });
}

const ROLE_PREFIX = `arn:aws:iam::${ENV}:role/`;

/** A role ARN in the environment account that satisfies the model's `RoleArn` pattern and is exactly `length` characters long. */
function roleOfLength(length: number): string {
  let rest = length - ROLE_PREFIX.length;
  const segments: string[] = [];
  while (rest > 64) {
    const segment = Math.min(512, rest - 2); // a path segment (at most 512) and its "/", leaving at least 1 for the name
    segments.push(`${'p'.repeat(segment)}/`);
    rest -= segment + 1;
  }
  const arn = `${ROLE_PREFIX}${segments.join('')}${'R'.repeat(rest)}`;
  expect(arn).toHaveLength(length);
  return arn;
}

async function create(input: Partial<CreateEnvironmentAccountConnectionCommandInput> = {}): Promise<EnvironmentAccountConnection> {
  return (await client(ENV).send(new CreateEnvironmentAccountConnectionCommand({
    environmentName: 'dev', managementAccountId: MGMT, roleArn: `${ROLE_PREFIX}ProtonEnvironmentRole`, ...input,
  }))).environmentAccountConnection!;
}

async function expectError(promise: Promise<unknown>, name: string, status: number, ...fragments: string[]): Promise<SdkError> {
  const err = await failure(promise);
  expect({ name: err.name, status: err.$metadata.httpStatusCode }).toEqual({ name, status });
  for (const fragment of fragments) expect(err.message).toContain(fragment);
  return err;
}

/** The three tag operations on `resourceArn`, each as the environment account (the only party that may tag). */
function tagOperations(resourceArn: string): Array<[string, () => Promise<unknown>]> {
  const env = client(ENV);
  return [
    ['TagResource', () => env.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'k', value: 'v' }] }))],
    ['UntagResource', () => env.send(new UntagResourceCommand({ resourceArn, tagKeys: ['k'] }))],
    ['ListTagsForResource', () => env.send(new ListTagsForResourceCommand({ resourceArn }))],
  ];
}

describe('resourceArn of the tag operations: shape Arn (1 to 200 characters, its pattern)', () => {
  const refused: Array<[string, (arn: string) => string, string]> = [
    ['longer than 200 characters', (arn) => `${arn}${'a'.repeat(201 - arn.length)}`, 'less than or equal to 200'],
    ['with a trailing slash', (arn) => `${arn}/`, 'regular expression pattern'],
    ['with a space', (arn) => arn.replace('environment-account-connection/', 'environment-account-connection/ '), 'regular expression pattern'],
    ['with "!" in the id', (arn) => arn.replace(/\/(.)/, '/!'), 'regular expression pattern'],
    ['with a trailing newline', (arn) => `${arn}\n`, 'regular expression pattern'],
    ['with a leading space', (arn) => ` ${arn}`, 'regular expression pattern'],
    ['empty', () => '', 'resourceArn'],
    ['in another partition than the model knows', (arn) => arn.replace('arn:aws:', 'arn:aws-iso:'), 'regular expression pattern'],
  ];
  test.each(refused)('an ARN %s is ValidationException (400) for all three operations, and changes nothing', async (_, mangle, fragment) => {
    const c = await create({ tags: [{ key: 'k', value: 'before' }] });
    const arn = mangle(c.arn!);
    for (const [operation, call] of tagOperations(arn)) {
      const err = await expectError(call(), 'ValidationException', 400, "'resourceArn'", fragment);
      expect({ operation, message: err.message }).toEqual({ operation, message: expect.not.stringContaining('was not found') });
    }
    expect(endpoint.proton.admin.dump().connections[0].tags).toEqual({ k: 'before' });
  });

  test('an ARN of exactly 200 characters that satisfies the pattern is looked up: ResourceNotFoundException (404)', async () => {
    const c = await create();
    const arn = `${c.arn!}${'a'.repeat(200 - c.arn!.length)}`;
    expect(arn).toHaveLength(200);
    for (const [, call] of tagOperations(arn)) await expectError(call(), 'ResourceNotFoundException', 404, arn);
  });

  const wellFormed: Array<[string, (arn: string) => string]> = [
    ['another connection id', (arn) => arn.replace(/[0-9a-f-]{36}$/, '00000000-0000-4000-8000-000000000000')],
    ['an uppercase id (ids are lowercase)', (arn) => arn.replace(/[0-9a-f-]{36}$/, (id) => id.toUpperCase())],
    ['an id that is not a UUID', (arn) => arn.replace(/[0-9a-f-]{36}$/, 'abc')],
    ['another Region', (arn) => arn.replace(REGION, 'eu-west-1')],
    ['no Region', (arn) => arn.replace(`:${REGION}:`, '::')],
    ['another account', (arn) => arn.replace(`:${ENV}:`, ':333333333333:')],
    ['a Proton environment', () => `arn:aws:proton:${REGION}:${MGMT}:environment/dev`],
    ['the connection id with a path suffix', (arn) => `${arn}/extra`],
  ];
  test.each(wellFormed)('a well-formed Proton ARN naming nothing (%s) is ResourceNotFoundException (404)', async (_, mangle) => {
    const c = await create();
    for (const [, call] of tagOperations(mangle(c.arn!))) await expectError(call(), 'ResourceNotFoundException', 404);
  });

  test('a well-formed ARN of another service is ValidationException (400): it can never name a Proton resource', async () => {
    for (const [, call] of tagOperations(`arn:aws:s3:${REGION}:${ENV}:bucket/b`)) {
      await expectError(call(), 'ValidationException', 400, "'resourceArn'", 'not an AWS Proton resource ARN');
    }
  });

  test('ValidationException comes before the caller is checked: the management account gets it too', async () => {
    const c = await create();
    await expectError(client(MGMT).send(new TagResourceCommand({ resourceArn: `${c.arn}/`, tags: [] })), 'ValidationException', 400);
    await expectError(client(MGMT).send(new TagResourceCommand({ resourceArn: c.arn, tags: [] })), 'AccessDeniedException', 403);
  });
});

describe('tag keys the model allows are stored and listed exactly', () => {
  const SPECIAL = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  /** The connection's tags as `GET /_local/state` shows them (a separate JSON round trip). */
  function httpStateTags(): Promise<Record<string, string>> {
    return new Promise((resolve, reject) => {
      request(`${endpoint.proton.url}/_local/state`, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).connections[0].tags));
      }).on('error', reject).end();
    });
  }

  function expectOwnTags(tags: Record<string, string>, expected: Record<string, string>): void {
    expect(Object.keys(tags).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      expect(Object.prototype.hasOwnProperty.call(tags, key)).toBe(true);
      expect(tags[key]).toBe(value);
    }
  }

  test('on Create: __proto__ and the other Object.prototype names are kept, listed and dumped', async () => {
    const tags = SPECIAL.map((key, i) => ({ key, value: `v${i}` }));
    const c = await create({ tags });
    const expected = Object.fromEntries(SPECIAL.map((key, i) => [key, `v${i}`]));
    const listed = (await client(ENV).send(new ListTagsForResourceCommand({ resourceArn: c.arn }))).tags!;
    expect(listed).toEqual([...tags].sort((a, b) => (a.key < b.key ? -1 : 1)));
    expect((await client(MGMT).send(new ListTagsForResourceCommand({ resourceArn: c.arn }))).tags).toHaveLength(SPECIAL.length);
    expectOwnTags(endpoint.proton.admin.dump().connections[0].tags, expected);
    expectOwnTags(await httpStateTags(), expected);
    expect(({} as Record<string, unknown>).v0).toBeUndefined(); // nothing leaked into Object.prototype
  });

  test('on TagResource and UntagResource: __proto__ is added, overwritten and removed like any key', async () => {
    const c = await create();
    const env = client(ENV);
    await env.send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: '__proto__', value: 'one' }, { key: 'constructor', value: 'c' }] }));
    expect((await env.send(new ListTagsForResourceCommand({ resourceArn: c.arn }))).tags)
      .toEqual([{ key: '__proto__', value: 'one' }, { key: 'constructor', value: 'c' }]);
    await env.send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: '__proto__', value: 'two' }] }));
    expectOwnTags(endpoint.proton.admin.dump().connections[0].tags, Object.fromEntries([['__proto__', 'two'], ['constructor', 'c']]));
    await env.send(new UntagResourceCommand({ resourceArn: c.arn, tagKeys: ['__proto__'] }));
    expect((await env.send(new ListTagsForResourceCommand({ resourceArn: c.arn }))).tags).toEqual([{ key: 'constructor', value: 'c' }]);
    expectOwnTags(await httpStateTags(), { constructor: 'c' });
  });

  test('__proto__ counts like any key: duplicates, the 50-tag limit and idempotent replays see it', async () => {
    await expectError(create({ tags: [{ key: '__proto__', value: '1' }, { key: '__proto__', value: '2' }] }), 'ValidationException', 400, 'duplicate', '__proto__');
    const c = await create({ clientToken: 't', tags: [{ key: '__proto__', value: '1' }] });
    expect((await create({ clientToken: 't', tags: [{ key: '__proto__', value: '1' }] })).id).toBe(c.id);
    await expectError(create({ clientToken: 't', tags: [{ key: '__proto__', value: '2' }] }), 'ValidationException', 400, 'clientToken', 'IdempotentParameterMismatch');
    await expectError(create({ clientToken: 't' }), 'ValidationException', 400, 'clientToken');
    await client(ENV).send(new TagResourceCommand({ resourceArn: c.arn, tags: Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }));
    await expectError(client(ENV).send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: 'one-more', value: 'v' }] })), 'ValidationException', 400, '51');
  });
});

describe('role ARNs longer than the output shapes can return', () => {
  test.each([
    ['roleArn', 'EnvironmentAccountConnection.roleArn'],
    ['componentRoleArn', 'EnvironmentAccountConnectionSummary.componentRoleArn'],
  ] as const)('%s: 200 characters are accepted and echoed, 201 are ValidationException (400) saying why', async (field, shape) => {
    const ok = await create({ [field]: roleOfLength(200) });
    expect(ok[field]).toBe(roleOfLength(200));
    expect((await client(ENV).send(new GetEnvironmentAccountConnectionCommand({ id: ok.id }))).environmentAccountConnection![field]).toBe(roleOfLength(200));
    const listed = (await client(MGMT).send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }))).environmentAccountConnections!;
    expect(listed[0][field]).toBe(roleOfLength(200));

    await expectError(create({ environmentName: 'prod', [field]: roleOfLength(201) }), 'ValidationException', 400,
      `'${field}'`, 'less than or equal to 200 (got 201)', shape, 'shape Arn', 'could not return');
    await expectError(client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({ id: ok.id, [field]: roleOfLength(201) })), 'ValidationException', 400,
      `'${field}'`, 'could not return');
    await expectError(create({ environmentName: 'prod', [field]: roleOfLength(2048) }), 'ValidationException', 400, 'could not return');
    expect(endpoint.proton.admin.dump().connections.map((c) => c[field])).toEqual([roleOfLength(200)]);
    expect(endpoint.proton.admin.events({ account: ENV })).toHaveLength(1);
  });

  test('codebuildRoleArn: every output returns it as shape RoleArn (2048), so 2048 characters are accepted and returned', async () => {
    const c = await create({ codebuildRoleArn: roleOfLength(2048) });
    expect(c.codebuildRoleArn).toBe(roleOfLength(2048));
    expect((await client(MGMT).send(new GetEnvironmentAccountConnectionCommand({ id: c.id }))).environmentAccountConnection!.codebuildRoleArn)
      .toBe(roleOfLength(2048));
    const updated = await client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id, codebuildRoleArn: roleOfLength(1000) }));
    expect(updated.environmentAccountConnection!.codebuildRoleArn).toBe(roleOfLength(1000));
    await expectError(create({ environmentName: 'prod', codebuildRoleArn: `${roleOfLength(2048)}R` }), 'ValidationException', 400,
      "'codebuildRoleArn'", '1 to 2048');
  });
});

describe('pagination tokens satisfy the model', () => {
  test('ListEnvironmentAccountConnections tokens match NextToken ^[A-Za-z0-9+=/]+$; others are ValidationException', async () => {
    for (const name of ['a', 'b', 'c']) await create({ environmentName: name });
    const mgmt = client(MGMT);
    let token: string | undefined;
    const seen: string[] = [];
    do {
      const page = await mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', maxResults: 1, nextToken: token }));
      seen.push(...page.environmentAccountConnections!.map((c) => c.environmentName!));
      token = page.nextToken;
      if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9+=/]+$/);
    } while (token !== undefined);
    expect(seen).toEqual(['a', 'b', 'c']);
    await expectError(mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', nextToken: 'not-a_token' })),
      'ValidationException', 400, "'nextToken'", 'regular expression pattern');
  });

  test('ListTagsForResource tokens page through every tag', async () => {
    const c = await create({ tags: Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, value: '?'.repeat(i) })) });
    const env = client(ENV);
    let token: string | undefined;
    const keys: string[] = [];
    do {
      const page = await env.send(new ListTagsForResourceCommand({ resourceArn: c.arn, maxResults: 3, nextToken: token }));
      keys.push(...page.tags!.map((t) => t.key!));
      token = page.nextToken;
      if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9+=/]+$/);
    } while (token !== undefined);
    expect(keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
  });
});
