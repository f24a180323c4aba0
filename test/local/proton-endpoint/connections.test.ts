import {
  AcceptEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommandInput,
  DeleteEnvironmentAccountConnectionCommand,
  EnvironmentAccountConnection,
  GetEnvironmentAccountConnectionCommand,
  ListEnvironmentAccountConnectionsCommand,
  ListTagsForResourceCommand,
  ProtonClient,
  RejectEnvironmentAccountConnectionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import { ENV, MGMT, REGION, SdkError, failure, useEndpointUnderTest } from './endpoint-test-kit';
import { LocalProton, startLocalProton } from '../../../local/proton-endpoint';

const OTHER = '333333333333';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const endpoint = useEndpointUnderTest();

function client(account: string, region = REGION): ProtonClient {
  return endpoint.client(account, { region, maxAttempts: 1 });
}

function role(account = ENV, name = 'ProtonEnvironmentRole', partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:role/${name}`;
}


async function expectError(promise: Promise<unknown>, name: string, ...fragments: string[]): Promise<SdkError> {
  const err = await failure(promise);
  expect(err.name).toBe(name);
  for (const fragment of fragments) expect(err.message).toContain(fragment);
  return err;
}

async function create(
  input: Partial<CreateEnvironmentAccountConnectionCommandInput> = {},
  account = ENV,
  region = REGION,
): Promise<EnvironmentAccountConnection> {
  const out = await client(account, region).send(new CreateEnvironmentAccountConnectionCommand({
    environmentName: 'dev',
    managementAccountId: MGMT,
    roleArn: role(account, 'ProtonEnvironmentRole', region.startsWith('cn-') ? 'aws-cn' : 'aws'),
    ...input,
  }));
  return out.environmentAccountConnection!;
}

async function get(id: string, account = ENV): Promise<EnvironmentAccountConnection> {
  return (await client(account).send(new GetEnvironmentAccountConnectionCommand({ id }))).environmentAccountConnection!;
}


describe('the user guide CLI flow', () => {
  test('create -> get -> accept -> get -> delete reproduces the documented shapes', async () => {
    const before = Date.now();
    const created = await create({ environmentName: 'simple-env-connected' });
    expect(Object.keys(created).sort()).toEqual(
      ['arn', 'environmentAccountId', 'environmentName', 'id', 'lastModifiedAt', 'managementAccountId', 'requestedAt', 'roleArn', 'status']);
    expect(created).toMatchObject({
      environmentAccountId: ENV,
      managementAccountId: MGMT,
      environmentName: 'simple-env-connected',
      roleArn: role(),
      status: 'PENDING',
    });
    expect(created.id).toMatch(UUID);
    expect(created.arn).toBe(`arn:aws:proton:${REGION}:${ENV}:environment-account-connection/${created.id}`);
    // Epoch seconds on the wire: the SDK turns them into Dates close to now.
    expect(created.requestedAt).toBeInstanceOf(Date);
    expect(created.requestedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(created.requestedAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(created.lastModifiedAt!.getTime()).toBe(created.requestedAt!.getTime());

    expect(await get(created.id!)).toEqual(created);
    expect(await get(created.id!, MGMT)).toEqual(created);

    await new Promise((r) => setTimeout(r, 5));
    const accepted = (await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: created.id }))).environmentAccountConnection!;
    expect(accepted.status).toBe('CONNECTED');
    expect(accepted.requestedAt).toEqual(created.requestedAt);
    expect(accepted.lastModifiedAt!.getTime()).toBeGreaterThan(created.lastModifiedAt!.getTime());
    expect((await get(created.id!)).status).toBe('CONNECTED');

    const deleted = (await client(ENV).send(new DeleteEnvironmentAccountConnectionCommand({ id: created.id }))).environmentAccountConnection!;
    expect(deleted).toMatchObject({ id: created.id, status: 'CONNECTED' });
    await expectError(get(created.id!), 'ResourceNotFoundException', created.id!);
    expect(endpoint.proton.admin.dump().connections).toEqual([]);
  });

  test('create -> reject -> get', async () => {
    const created = await create({ codebuildRoleArn: role(ENV, 'CodeBuildRole'), componentRoleArn: role(ENV, 'ComponentRole') });
    expect(created.codebuildRoleArn).toBe(role(ENV, 'CodeBuildRole'));
    expect(created.componentRoleArn).toBe(role(ENV, 'ComponentRole'));
    const rejected = (await client(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: created.id }))).environmentAccountConnection!;
    expect(rejected.status).toBe('REJECTED');
    expect(await get(created.id!)).toEqual(rejected);
    expect(endpoint.proton.admin.dump().connections).toMatchObject([{ id: created.id, status: 'REJECTED', region: REGION, partition: 'aws' }]);
  });
});

describe('field constraints', () => {
  const cases: Array<[string, Partial<CreateEnvironmentAccountConnectionCommandInput>, string]> = [
    ['environmentName pattern', { environmentName: '-leading-dash' }, 'environmentName'],
    ['environmentName length', { environmentName: 'a'.repeat(101) }, 'environmentName'],
    ['environmentName empty', { environmentName: '' }, 'environmentName'],
    ['managementAccountId', { managementAccountId: '11111111111' }, 'managementAccountId'],
    ['roleArn pattern', { roleArn: 'arn:aws:iam::222222222222:user/someone' }, 'roleArn'],
    ['roleArn missing', { roleArn: undefined }, 'roleArn'],
    ['codebuildRoleArn', { codebuildRoleArn: 'not-an-arn' }, 'codebuildRoleArn'],
    ['componentRoleArn', { componentRoleArn: 'arn:aws:iam::2222:role/x' }, 'componentRoleArn'],
    ['roleArn partition', { roleArn: role(ENV, 'R', 'aws-cn') }, 'partition'],
    ['roleArn in another account', { roleArn: role(OTHER) }, 'environment account'],
    ['clientToken too long', { clientToken: 'x'.repeat(65) }, 'clientToken'],
    ['clientToken not printable ASCII', { clientToken: 'tökén' }, 'clientToken'],
    ['51 tags', { tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, 'tags'],
    ['tag key too long', { tags: [{ key: 'k'.repeat(129), value: 'v' }] }, 'tags'],
    ['tag value too long', { tags: [{ key: 'k', value: 'v'.repeat(257) }] }, 'tags'],
    ['reserved tag prefix', { tags: [{ key: 'aws:owner', value: 'v' }] }, 'aws:'],
    ['duplicate tag keys', { tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }, 'duplicate'],
  ];
  test.each(cases)('Create rejects a bad %s', async (_, input, fragment) => {
    await expectError(create(input), 'ValidationException', fragment);
    expect(endpoint.proton.admin.dump().connections).toEqual([]);
    expect(endpoint.proton.admin.events()).toEqual([]);
  });

  test('a management account equal to the caller is rejected', async () => {
    await expectError(create({ managementAccountId: ENV }), 'ValidationException', 'managementAccountId', 'different');
  });

  test('50 tags, 128-character keys and 256-character values are accepted', async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ key: `${i}`.padEnd(128, 'k'), value: 'v'.repeat(256) }));
    const c = await create({ tags });
    expect(Object.keys(endpoint.proton.admin.dump().connections[0].tags)).toHaveLength(50);
    expect(c.id).toMatch(UUID);
  });

  test.each([
    ['uppercase', 'A1B2C3D4-5678-90AB-CDEF-111111111111'],
    ['user guide example', 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'],
    ['empty', ''],
  ])('an id that is not a lowercase UUID (%s) is a ValidationException for every id operation', async (_, id) => {
    for (const [account, command] of [
      [ENV, new GetEnvironmentAccountConnectionCommand({ id })],
      [MGMT, new AcceptEnvironmentAccountConnectionCommand({ id })],
      [MGMT, new RejectEnvironmentAccountConnectionCommand({ id })],
      [ENV, new UpdateEnvironmentAccountConnectionCommand({ id, roleArn: role() })],
      [ENV, new DeleteEnvironmentAccountConnectionCommand({ id })],
    ] as const) {
      await expectError(client(account).send(command as never), 'ValidationException', "'id'");
    }
  });

  test('List checks requestedBy, statuses, maxResults and environmentName', async () => {
    const c = client(MGMT);
    await expectError(c.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'SOMEONE' as never })), 'ValidationException', 'requestedBy');
    await expectError(c.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: undefined as never })), 'ValidationException', 'requestedBy');
    await expectError(c.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['BOGUS' as never] })), 'ValidationException', 'statuses');
    await expectError(c.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', maxResults: 0 })), 'ValidationException', 'maxResults');
    await expectError(c.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', maxResults: 101 })), 'ValidationException', 'maxResults');
    await expectError(c.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', environmentName: 'no spaces' })), 'ValidationException', 'environmentName');
  });
});

describe('one connection per environment', () => {
  test('a second PENDING or CONNECTED request is a ConflictException naming the existing id', async () => {
    const first = await create();
    await expectError(create(), 'ConflictException', first.id!, 'PENDING');
    await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: first.id }));
    await expectError(create({ roleArn: role(ENV, 'OtherRole') }), 'ConflictException', first.id!, 'CONNECTED');
    expect(endpoint.proton.admin.dump().connections).toHaveLength(1);
  });

  test('a REJECTED connection does not block a new request; other names, management accounts and Regions are independent', async () => {
    const first = await create();
    await client(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: first.id }));
    const second = await create();
    expect(second.id).not.toBe(first.id);
    await create({ environmentName: 'prod' });
    await create({ managementAccountId: OTHER });
    await create({}, ENV, 'eu-west-1');
    expect(endpoint.proton.admin.dump().connections.map((c) => c.status)).toEqual(['REJECTED', 'PENDING', 'PENDING', 'PENDING', 'PENDING']);
  });
});

describe('clientToken idempotency', () => {
  test('the same token and input return the same connection without a second connection or event', async () => {
    const first = await create({ clientToken: 'token-1', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    const again = await create({ clientToken: 'token-1', tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] });
    expect(again).toEqual(first);
    expect(endpoint.proton.admin.dump().connections).toHaveLength(1);
    expect(endpoint.proton.admin.events({ account: ENV })).toHaveLength(1);
  });

  test('a replay returns the current state of the connection', async () => {
    const first = await create({ clientToken: 'token-1' });
    await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: first.id }));
    const again = await create({ clientToken: 'token-1' });
    expect(again).toMatchObject({ id: first.id, status: 'CONNECTED' });
  });

  test('the same token with different input is a ValidationException', async () => {
    const first = await create({ clientToken: 'token-1' });
    await expectError(create({ clientToken: 'token-1', environmentName: 'prod' }), 'ValidationException', 'clientToken', 'different parameters', first.id!);
    await expectError(create({ clientToken: 'token-1', roleArn: role(ENV, 'Other') }), 'ValidationException', 'clientToken');
    await expectError(create({ clientToken: 'token-1', tags: [{ key: 'a', value: '1' }] }), 'ValidationException', 'clientToken');
    expect(endpoint.proton.admin.dump().connections).toHaveLength(1);
  });

  test('tokens are scoped to the caller account and Region', async () => {
    const a = await create({ clientToken: 'shared' });
    const b = await create({ clientToken: 'shared' }, OTHER);
    const c = await create({ clientToken: 'shared' }, ENV, 'us-west-2');
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });

  test('once the original connection is deleted, the token creates a new connection', async () => {
    const first = await create({ clientToken: 'token-1' });
    await client(ENV).send(new DeleteEnvironmentAccountConnectionCommand({ id: first.id }));
    const second = await create({ clientToken: 'token-1' });
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('PENDING');
  });

  test('without a token every call is a new request (the second one conflicts)', async () => {
    await create({ clientToken: '' });
    await expectError(create({ clientToken: '' }), 'ConflictException');
  });
});

describe('who may call what', () => {
  test('the environment account cannot accept or reject', async () => {
    const c = await create();
    await expectError(client(ENV).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id })), 'AccessDeniedException', 'management account', MGMT);
    await expectError(client(ENV).send(new RejectEnvironmentAccountConnectionCommand({ id: c.id })), 'AccessDeniedException', 'management account');
    expect((await get(c.id!)).status).toBe('PENDING');
  });

  test('the management account cannot update, delete or tag', async () => {
    const c = await create();
    await expectError(client(MGMT).send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id, roleArn: role(ENV, 'X') })), 'AccessDeniedException', 'environment account', ENV);
    await expectError(client(MGMT).send(new DeleteEnvironmentAccountConnectionCommand({ id: c.id })), 'AccessDeniedException', 'environment account');
    await expectError(client(MGMT).send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: 'k', value: 'v' }] })), 'AccessDeniedException');
    await expectError(client(MGMT).send(new UntagResourceCommand({ resourceArn: c.arn, tagKeys: ['k'] })), 'AccessDeniedException');
    expect(endpoint.proton.admin.dump().connections).toMatchObject([{ id: c.id, roleArn: role(), tags: {} }]);
  });

  test('a third account and any caller in another Region get ResourceNotFoundException', async () => {
    const c = await create();
    const id = c.id!;
    for (const command of [
      new GetEnvironmentAccountConnectionCommand({ id }),
      new AcceptEnvironmentAccountConnectionCommand({ id }),
      new RejectEnvironmentAccountConnectionCommand({ id }),
      new UpdateEnvironmentAccountConnectionCommand({ id, roleArn: role(OTHER) }),
      new DeleteEnvironmentAccountConnectionCommand({ id }),
    ]) {
      await expectError(client(OTHER).send(command as never), 'ResourceNotFoundException', id);
    }
    await expectError(client(OTHER).send(new ListTagsForResourceCommand({ resourceArn: c.arn })), 'ResourceNotFoundException');
    await expectError(client(MGMT, 'us-west-2').send(new GetEnvironmentAccountConnectionCommand({ id })), 'ResourceNotFoundException', 'us-west-2');
    await expectError(client(MGMT, 'us-west-2').send(new AcceptEnvironmentAccountConnectionCommand({ id })), 'ResourceNotFoundException');
    await expectError(client(ENV, 'us-west-2').send(new DeleteEnvironmentAccountConnectionCommand({ id })), 'ResourceNotFoundException');
    const list = await client(MGMT, 'us-west-2').send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }));
    expect(list.environmentAccountConnections).toEqual([]);
    expect((await get(id)).status).toBe('PENDING');
  });

  test('an unknown id is ResourceNotFoundException', async () => {
    await expectError(get('00000000-0000-4000-8000-000000000000'), 'ResourceNotFoundException', '00000000-0000-4000-8000-000000000000');
  });
});

describe('status transitions and events', () => {
  test('PENDING -> CONNECTED, accept is idempotent, every change is an event for both parties', async () => {
    const c = await create();
    const accept = () => client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id }));
    const first = (await accept()).environmentAccountConnection!;
    const second = (await accept()).environmentAccountConnection!;
    expect(second).toEqual(first);
    await client(ENV).send(new DeleteEnvironmentAccountConnectionCommand({ id: c.id }));

    const events = endpoint.proton.admin.events();
    expect(events.map((e) => [e.account, e.detail])).toEqual([
      [ENV, { id: c.id, status: 'PENDING' }],
      [MGMT, { id: c.id, status: 'PENDING' }],
      [ENV, { id: c.id, status: 'CONNECTED', previousStatus: 'PENDING' }],
      [MGMT, { id: c.id, status: 'CONNECTED', previousStatus: 'PENDING' }],
      [ENV, { id: c.id, status: 'DELETED', previousStatus: 'CONNECTED' }],
      [MGMT, { id: c.id, status: 'DELETED', previousStatus: 'CONNECTED' }],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({
        'source': 'aws.proton',
        'detail-type': 'AWS Proton Environment Account Connection Status Change',
        'region': REGION,
        'resources': [c.arn],
        'version': '0',
      });
      expect(Date.parse(e.time)).not.toBeNaN();
    }
    expect(endpoint.proton.admin.events({ account: MGMT })).toHaveLength(3);
  });

  test('PENDING -> REJECTED, reject is idempotent, a REJECTED connection can never be accepted or updated', async () => {
    const c = await create();
    const reject = () => client(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: c.id }));
    await reject();
    await reject();
    await expectError(client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id })), 'ConflictException', 'REJECTED');
    await expectError(client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id, roleArn: role(ENV, 'New') })), 'ConflictException', 'REJECTED');
    expect(await get(c.id!)).toMatchObject({ status: 'REJECTED', roleArn: role() });
    expect(endpoint.proton.admin.events({ account: ENV }).map((e) => e.detail.status)).toEqual(['PENDING', 'REJECTED']);
  });

  test('CONNECTED -> REJECTED is allowed unless an environment is attached', async () => {
    const c = await create();
    await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id }));
    expect(endpoint.proton.admin.attachEnvironment(c.id!).environments).toEqual(['dev']);
    await expectError(client(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: c.id })), 'ConflictException', 'delete the environment first');
    expect((await get(c.id!)).status).toBe('CONNECTED');
    endpoint.proton.admin.detachEnvironment(c.id!, 'dev');
    const rejected = (await client(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: c.id }))).environmentAccountConnection!;
    expect(rejected.status).toBe('REJECTED');
    expect(endpoint.proton.admin.events({ account: MGMT }).map((e) => e.detail)).toContainEqual({ id: c.id, status: 'REJECTED', previousStatus: 'CONNECTED' });
  });

  test('attachEnvironment needs a CONNECTED connection', async () => {
    const c = await create();
    expect(() => endpoint.proton.admin.attachEnvironment(c.id!)).toThrow(/PENDING/);
    expect(() => endpoint.proton.admin.attachEnvironment('00000000-0000-4000-8000-000000000000')).toThrow(/no connection/);
  });

  test('deleting an attached connection is allowed and orphans the environment', async () => {
    const c = await create();
    await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id }));
    endpoint.proton.admin.attachEnvironment(c.id!);
    await client(ENV).send(new DeleteEnvironmentAccountConnectionCommand({ id: c.id }));
    expect(endpoint.proton.admin.dump()).toMatchObject({
      connections: [],
      orphanedEnvironments: [{ environmentName: 'dev', connectionId: c.id, environmentAccountId: ENV, managementAccountId: MGMT, region: REGION }],
    });
    // A new accepted connection for the same environment adopts it.
    const next = await create();
    await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: next.id }));
    endpoint.proton.admin.attachEnvironment(next.id!);
    expect(endpoint.proton.admin.dump().orphanedEnvironments).toEqual([]);
  });

  test('deleting PENDING and REJECTED connections records DELETED with the previous status', async () => {
    const a = await create();
    const b = await create({ environmentName: 'prod' });
    await client(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: b.id }));
    await client(ENV).send(new DeleteEnvironmentAccountConnectionCommand({ id: a.id }));
    await client(ENV).send(new DeleteEnvironmentAccountConnectionCommand({ id: b.id }));
    expect(endpoint.proton.admin.events({ account: ENV }).filter((e) => e.detail.status === 'DELETED').map((e) => e.detail))
      .toEqual([{ id: a.id, status: 'DELETED', previousStatus: 'PENDING' }, { id: b.id, status: 'DELETED', previousStatus: 'REJECTED' }]);
    await expectError(client(ENV).send(new DeleteEnvironmentAccountConnectionCommand({ id: a.id })), 'ResourceNotFoundException');
  });
});

describe('UpdateEnvironmentAccountConnection', () => {
  test('changes the role ARNs only, bumps lastModifiedAt, records no event', async () => {
    const c = await create();
    await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id }));
    const before = await get(c.id!);
    await new Promise((r) => setTimeout(r, 5));
    const updated = (await client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({
      id: c.id, roleArn: role(ENV, 'NewRole'), codebuildRoleArn: role(ENV, 'CodeBuild'), componentRoleArn: role(ENV, 'Component'),
    }))).environmentAccountConnection!;
    expect(updated).toMatchObject({
      id: c.id,
      status: 'CONNECTED',
      environmentName: 'dev',
      roleArn: role(ENV, 'NewRole'),
      codebuildRoleArn: role(ENV, 'CodeBuild'),
      componentRoleArn: role(ENV, 'Component'),
    });
    expect(updated.requestedAt).toEqual(before.requestedAt);
    expect(updated.lastModifiedAt!.getTime()).toBeGreaterThan(before.lastModifiedAt!.getTime());
    expect(await get(c.id!)).toEqual(updated);
    expect(endpoint.proton.admin.events({ account: ENV })).toHaveLength(2);

    // A no-op update changes nothing.
    const same = (await client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id }))).environmentAccountConnection!;
    expect(same).toEqual(updated);
  });

  test('validates the role ARNs like Create', async () => {
    const c = await create();
    await expectError(client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id, roleArn: 'nope' })), 'ValidationException', 'roleArn');
    await expectError(client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id, codebuildRoleArn: role(OTHER) })), 'ValidationException', 'codebuildRoleArn', 'environment account');
    await expectError(client(ENV).send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id, componentRoleArn: role(ENV, 'X', 'aws-us-gov') })), 'ValidationException', 'partition');
    expect((await get(c.id!)).roleArn).toBe(role());
  });
});

describe('partitions', () => {
  test('a cn- Region makes aws-cn ARNs and requires aws-cn roles', async () => {
    const c = await create({}, ENV, 'cn-north-1');
    expect(c.arn).toBe(`arn:aws-cn:proton:cn-north-1:${ENV}:environment-account-connection/${c.id}`);
    await expectError(create({ environmentName: 'x', roleArn: role() }, ENV, 'cn-north-1'), 'ValidationException', 'aws-cn');
    const gov = await create({}, ENV, 'us-gov-west-1').catch((e) => e);
    expect(gov.name).toBe('ValidationException');
    const govOk = await create({ roleArn: role(ENV, 'R', 'aws-us-gov') }, ENV, 'us-gov-west-1');
    expect(govOk.arn).toMatch(/^arn:aws-us-gov:proton:us-gov-west-1:/);
  });
});

describe('tags', () => {
  test('Create tags, TagResource, UntagResource and ListTagsForResource keep tags in step', async () => {
    const c = await create({ tags: [{ key: 'team', value: 'platform' }] });
    const env = client(ENV);
    await env.send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: 'stage', value: 'dev' }, { key: 'team', value: 'infra' }] }));
    expect((await env.send(new ListTagsForResourceCommand({ resourceArn: c.arn }))).tags).toEqual([{ key: 'stage', value: 'dev' }, { key: 'team', value: 'infra' }]);
    expect((await client(MGMT).send(new ListTagsForResourceCommand({ resourceArn: c.arn }))).tags).toHaveLength(2);
    await env.send(new UntagResourceCommand({ resourceArn: c.arn, tagKeys: ['team', 'absent'] }));
    expect(endpoint.proton.admin.dump().connections[0].tags).toEqual({ stage: 'dev' });
  });

  test('the 50-tag limit counts existing tags; reserved keys and bad ARNs are rejected', async () => {
    const c = await create({ tags: Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: 'v' })) });
    const env = client(ENV);
    await env.send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: 'k0', value: 'changed' }, { key: 'k49', value: 'v' }] }));
    await expectError(env.send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: 'k50', value: 'v' }] })), 'ValidationException', '50');
    await expectError(env.send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: 'aws:x', value: 'v' }] })), 'ValidationException', 'aws:');
    await expectError(env.send(new UntagResourceCommand({ resourceArn: c.arn, tagKeys: [''] })), 'ValidationException', 'tagKeys');
    await expectError(env.send(new TagResourceCommand({ resourceArn: 'not-an-arn', tags: [{ key: 'a', value: 'b' }] })), 'ValidationException', 'resourceArn');
    await expectError(env.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:proton:${REGION}:${ENV}:environment/dev` })), 'ResourceNotFoundException');
    await expectError(env.send(new ListTagsForResourceCommand({ resourceArn: c.arn!.replace(REGION, 'eu-west-1') })), 'ResourceNotFoundException');
    const page = await env.send(new ListTagsForResourceCommand({ resourceArn: c.arn, maxResults: 30 }));
    expect(page.tags).toHaveLength(30);
    const rest = await env.send(new ListTagsForResourceCommand({ resourceArn: c.arn, maxResults: 30, nextToken: page.nextToken }));
    expect(rest.tags).toHaveLength(20);
    expect(rest.nextToken).toBeUndefined();
    expect(endpoint.proton.admin.dump().connections[0].tags.k0).toBe('changed');
  });
});

describe('ListEnvironmentAccountConnections', () => {
  const ENV_ACCOUNTS = ['222222222222', '444444444444', '555555555555'];

  async function createMany(): Promise<string[]> {
    const ids: string[] = [];
    for (const account of ENV_ACCOUNTS) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => create({ environmentName: `env-${String(i).padStart(2, '0')}` }, account)));
      ids.push(...batch.map((c) => c.id!));
    }
    return ids;
  }

  test('paginates 150 pending requests past 100 in a stable order', async () => {
    await createMany();
    const created = endpoint.proton.admin.dump().connections.map((c) => c.id);
    const mgmt = client(MGMT);
    const first = await mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }));
    expect(first.environmentAccountConnections).toHaveLength(100);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', nextToken: first.nextToken }));
    expect(second.environmentAccountConnections).toHaveLength(50);
    expect(second.nextToken).toBeUndefined();
    expect([...first.environmentAccountConnections!, ...second.environmentAccountConnections!].map((c) => c.id)).toEqual(created);

    const pages: string[] = [];
    let token: string | undefined;
    let count = 0;
    do {
      const page = await mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', maxResults: 40, nextToken: token }));
      pages.push(...page.environmentAccountConnections!.map((c) => c.id!));
      token = page.nextToken;
      count++;
    } while (token);
    expect(count).toBe(4);
    expect(pages).toEqual(created);
  });

  test('filters by requestedBy, environmentName and statuses; summaries omit codebuildRoleArn', async () => {
    const a = await create({ codebuildRoleArn: role(ENV, 'CodeBuild'), componentRoleArn: role(ENV, 'Component') });
    const b = await create({ environmentName: 'prod' });
    const c = await create({ environmentName: 'prod', managementAccountId: OTHER });
    await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: a.id }));
    await client(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: b.id }));
    const list = async (account: string, input: Omit<ConstructorParameters<typeof ListEnvironmentAccountConnectionsCommand>[0], never>) =>
      (await client(account).send(new ListEnvironmentAccountConnectionsCommand(input))).environmentAccountConnections!.map((x) => x.id);

    expect(await list(ENV, { requestedBy: 'ENVIRONMENT_ACCOUNT' })).toEqual([a.id, b.id, c.id]);
    expect(await list(ENV, { requestedBy: 'MANAGEMENT_ACCOUNT' })).toEqual([]);
    expect(await list(MGMT, { requestedBy: 'MANAGEMENT_ACCOUNT' })).toEqual([a.id, b.id]);
    expect(await list(MGMT, { requestedBy: 'ENVIRONMENT_ACCOUNT' })).toEqual([]);
    expect(await list(OTHER, { requestedBy: 'MANAGEMENT_ACCOUNT' })).toEqual([c.id]);
    expect(await list(ENV, { requestedBy: 'ENVIRONMENT_ACCOUNT', environmentName: 'prod' })).toEqual([b.id, c.id]);
    expect(await list(ENV, { requestedBy: 'ENVIRONMENT_ACCOUNT', statuses: ['PENDING', 'REJECTED'] })).toEqual([b.id, c.id]);
    expect(await list(MGMT, { requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['CONNECTED'] })).toEqual([a.id]);

    const summaries = (await client(MGMT).send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['CONNECTED'] })))
      .environmentAccountConnections!;
    expect(Object.keys(summaries[0]).sort()).toEqual(['arn', 'componentRoleArn', 'environmentAccountId', 'environmentName', 'id',
      'lastModifiedAt', 'managementAccountId', 'requestedAt', 'roleArn', 'status']);
    expect(summaries[0].requestedAt).toBeInstanceOf(Date);
  });

  test('an invalid or foreign nextToken is a ValidationException', async () => {
    await Promise.all(Array.from({ length: 3 }, (_, i) => create({ environmentName: `e${i}` })));
    const mgmt = client(MGMT);
    await expectError(mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', nextToken: 'garbage' })), 'ValidationException', 'nextToken');
    const page = await mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', maxResults: 1 }));
    await expectError(mgmt.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['PENDING'], nextToken: page.nextToken })),
      'ValidationException', 'nextToken');
    await expectError(client(ENV).send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', nextToken: page.nextToken })),
      'ValidationException', 'nextToken');
  });
});

describe('quota', () => {
  let small: LocalProton;
  beforeAll(async () => {
    small = await startLocalProton({ quotaPerEnvironmentAccount: 3 });
  });
  afterAll(async () => {
    await small.close();
  });

  test('ServiceQuotaExceededException per environment account per Region; REJECTED connections count', async () => {
    const c = (account: string, region = REGION) => endpoint.client(account, { region, maxAttempts: 1, server: small });
    const env = c(ENV);
    const mk = (name: string, client0 = env, account = ENV) =>
      client0.send(new CreateEnvironmentAccountConnectionCommand({ environmentName: name, managementAccountId: MGMT, roleArn: role(account) }));
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await mk(name)).environmentAccountConnection!.id!);
    const err = await expectError(mk('d'), 'ServiceQuotaExceededException', '3', ENV);
    expect(err.$metadata.httpStatusCode).toBe(402);
    await c(MGMT).send(new RejectEnvironmentAccountConnectionCommand({ id: ids[0] }));
    await expectError(mk('d'), 'ServiceQuotaExceededException');
    await mk('d', c(ENV, 'us-west-2'));
    await mk('d', c(OTHER), OTHER);
    await env.send(new DeleteEnvironmentAccountConnectionCommand({ id: ids[0] }));
    expect((await mk('d')).environmentAccountConnection!.status).toBe('PENDING');
    expect(small.admin.dump().connections).toHaveLength(5);
  });
});
