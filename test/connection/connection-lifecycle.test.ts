import {
  AcceptEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommand,
  DeleteEnvironmentAccountConnectionCommand,
  RejectEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import { CONNECTION_RESOURCE_TYPE } from '../../src/connection/connection-contract';
import { OWNER_TAG_KEY, clientTokenFor, legacyOwnerTagValue, onConnectionEvent, ownerTagValue } from '../../src/connection/handler/connection-lifecycle';
import { createEvent, deleteEvent, updateEvent } from '../support/cfn-events';
import { ENVIRONMENT_ACCOUNT, MANAGEMENT_ACCOUNT, protonClientFor, roleArn, useLocalProton } from '../support/local-proton';

const endpoint = useLocalProton();
const WRITES = [
  'CreateEnvironmentAccountConnection',
  'UpdateEnvironmentAccountConnection',
  'DeleteEnvironmentAccountConnection',
  'TagResource',
  'UntagResource',
];

const PROPS = {
  ManagementAccountId: MANAGEMENT_ACCOUNT,
  EnvironmentName: 'dev',
  RoleArn: roleArn('proton-dev'),
};

function deps(maxAttempts = 10) {
  const lines: string[] = [];
  return {
    lines,
    deps: {
      proton: protonClientFor(endpoint(), ENVIRONMENT_ACCOUNT, { maxAttempts }),
      log: (line: string) => lines.push(line),
      poll: { initialDelayMs: 20, maxDelayMs: 100 },
    },
  };
}

function management() {
  return protonClientFor(endpoint(), MANAGEMENT_ACCOUNT);
}

const inAMinute = () => Date.now() + 60_000;

function connections() {
  return endpoint().admin.dump().connections;
}

function writeCalls(): number {
  const counts = endpoint().admin.callCounts().byOperation;
  return WRITES.reduce((sum, operation) => sum + (counts[operation] ?? 0), 0);
}

async function create(props: Record<string, any> = PROPS) {
  const event = createEvent(CONNECTION_RESOURCE_TYPE, props);
  const outcome = await onConnectionEvent(event, inAMinute(), deps().deps);
  return { event, outcome, id: outcome.physicalResourceId };
}

describe('Create', () => {
  test('files one PENDING request and returns its id, ARN and status', async () => {
    const { event, outcome, id } = await create({ ...PROPS, Tags: { team: 'platform' } });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(outcome.data).toEqual({
      Id: id,
      Arn: `arn:aws:proton:us-east-1:${ENVIRONMENT_ACCOUNT}:environment-account-connection/${id}`,
      Status: 'PENDING',
    });
    expect(connections()).toEqual([
      expect.objectContaining({
        id,
        status: 'PENDING',
        environmentName: 'dev',
        managementAccountId: MANAGEMENT_ACCOUNT,
        environmentAccountId: ENVIRONMENT_ACCOUNT,
        roleArn: roleArn('proton-dev'),
        tags: { 'team': 'platform', 'cdk-proton-account-connections:owner': ownerTagValue(event) },
      }),
    ]);
    expect(clientTokenFor(event)).toHaveLength(64);
    expect(endpoint().admin.callCounts().byOperation).toEqual({ CreateEnvironmentAccountConnection: 1 });
  });

  test('duplicate delivery of the same request (sequential and concurrent) yields the same connection', async () => {
    const event = createEvent(CONNECTION_RESOURCE_TYPE, PROPS);
    const first = await onConnectionEvent(event, inAMinute(), deps().deps);
    const again = await Promise.all([1, 2, 3].map(() => onConnectionEvent(event, inAMinute(), deps().deps)));
    expect(new Set(again.map((outcome) => outcome.physicalResourceId))).toEqual(new Set([first.physicalResourceId]));
    expect(connections()).toHaveLength(1);
  });

  test('another resource\'s request for the same environment is refused, naming the existing connection', async () => {
    const { id } = await create();
    const failure = onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, PROPS, { LogicalResourceId: 'OtherConnection' }), inAMinute(), deps().deps);
    await expect(failure).rejects.toThrow(
      new RegExp(`a PENDING connection ${id} for environment "dev" of management account ${MANAGEMENT_ACCOUNT} already exists in this account.*Set adoptExisting: true`),
    );
    // it filed nothing: its rollback Delete must not touch the other resource's connection
    await expect(failure).rejects.toMatchObject({ physicalResourceId: expect.stringMatching(/^none-filed-/) });
    expect(connections()).toHaveLength(1);
  });

  test('adoptExisting takes over the existing connection and converges its roles and tags', async () => {
    const existing = await protonClientFor(endpoint(), ENVIRONMENT_ACCOUNT).send(new CreateEnvironmentAccountConnectionCommand({
      managementAccountId: MANAGEMENT_ACCOUNT,
      environmentName: 'dev',
      roleArn: roleArn('old-role'),
    }));
    const existingId = existing.environmentAccountConnection!.id!;
    await management().send(new AcceptEnvironmentAccountConnectionCommand({ id: existingId }));
    const { id, outcome } = await create({ ...PROPS, AdoptExisting: 'true', Tags: { owner: 'platform' } });
    expect(id).toBe(existingId);
    expect(outcome.data!.Status).toBe('CONNECTED');
    expect(connections()).toEqual([expect.objectContaining({ id: existingId, roleArn: roleArn('proton-dev'), tags: { owner: 'platform' }, status: 'CONNECTED' })]);
  });

  test('a REJECTED connection does not block a new request', async () => {
    const { id } = await create();
    await management().send(new RejectEnvironmentAccountConnectionCommand({ id }));
    const { id: second } = await create();
    expect(second).not.toBe(id);
    expect(connections().map((c) => c.status).sort()).toEqual(['PENDING', 'REJECTED']);
  });

  test('bad properties (tokens at synth) fail naming the property, before any call', async () => {
    await expect(create({ ...PROPS, EnvironmentName: 'not valid' })).rejects.toThrow(/invalid EnvironmentName "not valid": must start with a letter or digit/);
    await expect(create({ ...PROPS, ManagementAccountId: '1234' })).rejects.toThrow(/invalid ManagementAccountId "1234": must be a 12-digit AWS account id/);
    await expect(create({ ...PROPS, RoleArn: 'arn:aws:iam::222222222222:user/x' })).rejects.toThrow(/invalid RoleArn/);
    await expect(create({ ...PROPS, WaitForAcceptance: 'yes' })).rejects.toThrow(/invalid WaitForAcceptance "yes": must be "true" or "false"/);
    await expect(create({ ...PROPS, AcceptanceTimeoutSeconds: '9000' })).rejects.toThrow(/invalid AcceptanceTimeoutSeconds "9000": must be a whole number from 1 to 840/);
    expect(endpoint().admin.callCounts().total).toBe(0);
  });
});

describe('owner tag: a resource takes back what it filed itself', () => {
  test('a new request of the same resource (e.g. a rolled-back rename) takes back its own connection, without adoptExisting', async () => {
    const { id } = await create();
    const { lines, deps: d } = deps();
    const again = await onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, PROPS), inAMinute(), d);
    expect(again.physicalResourceId).toBe(id);
    expect(connections()).toHaveLength(1);
    expect(lines.join('\n')).toMatch(new RegExp(`taking back PENDING connection ${id}, which this resource filed earlier`));
  });

  test('the rollback Delete of a Create whose response was lost deletes the connection it filed', async () => {
    const event = createEvent(CONNECTION_RESOURCE_TYPE, PROPS);
    await onConnectionEvent(event, inAMinute(), deps().deps);
    await onConnectionEvent({ ...deleteEvent(CONNECTION_RESOURCE_TYPE, `not-created-${event.RequestId}`, PROPS) }, inAMinute(), deps().deps);
    expect(connections()).toEqual([]);
  });

  test('that rollback Delete is best effort: when Proton cannot be asked, it succeeds and says so', async () => {
    endpoint().admin.failNext('ListEnvironmentAccountConnections', 'AccessDeniedException', 1);
    const { lines, deps: d } = deps();
    await expect(onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, 'not-created-x', PROPS), inAMinute(), d)).resolves.toEqual({ physicalResourceId: 'not-created-x' });
    expect(lines.join('\n')).toMatch(/could not look for a connection the failed Create may have filed .*AccessDeniedException/);
  });

  test('the owner tag is left out when the user\'s tags use all 50', async () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await create({ ...PROPS, Tags: tags });
    expect(Object.keys(connections()[0].tags)).toHaveLength(50);
    expect(connections()[0].tags['cdk-proton-account-connections:owner']).toBeUndefined();
  });
});

describe('Update', () => {
  test('a role change updates the connection in place, with the one Update call (its answer is the connection)', async () => {
    const { id } = await create();
    endpoint().admin.resetCallCounts();
    const props = { ...PROPS, RoleArn: roleArn('proton-dev-v2'), ComponentRoleArn: roleArn('component') };
    const outcome = await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, props), inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).toBe(id);
    expect(connections()).toEqual([expect.objectContaining({ id, roleArn: roleArn('proton-dev-v2'), componentRoleArn: roleArn('component') })]);
    expect(endpoint().admin.callCounts().byOperation).toEqual({ UpdateEnvironmentAccountConnection: 1 });
  });

  test('a new environment name files a new connection under a new physical id; the old one stays for CloudFormation to delete', async () => {
    const { id } = await create();
    const props = { ...PROPS, EnvironmentName: 'staging' };
    const outcome = await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, props), inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).not.toBe(id);
    const pairs = connections().map((c) => [c.id, c.environmentName]);
    expect(pairs.sort()).toEqual([[id, 'dev'], [outcome.physicalResourceId, 'staging']].sort());
    await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, PROPS), inAMinute(), deps().deps);
    expect(connections().map((c) => c.environmentName)).toEqual(['staging']);
  });

  test('a new management account files a new connection', async () => {
    const { id } = await create();
    const props = { ...PROPS, ManagementAccountId: '333333333333' };
    const outcome = await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, props), inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).not.toBe(id);
    expect(connections().find((c) => c.id === outcome.physicalResourceId)!.managementAccountId).toBe('333333333333');
  });

  test('tag changes are applied: changed and added tags set, removed tags untagged', async () => {
    const before = { ...PROPS, Tags: { team: 'platform', cost: 'a' } };
    const { id } = await create(before);
    endpoint().admin.resetCallCounts();
    const after = { ...PROPS, Tags: { team: 'platform', cost: 'b', tier: 'gold' } };
    await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, before, after), inAMinute(), deps().deps);
    const owner = { 'cdk-proton-account-connections:owner': expect.stringMatching(/^[0-9a-f]{40}$/) };
    expect(connections()[0].tags).toEqual({ team: 'platform', cost: 'b', tier: 'gold', ...owner });
    await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, after, PROPS), inAMinute(), deps().deps);
    expect(connections()[0].tags).toEqual(owner);
    expect(endpoint().admin.callCounts().byOperation).toMatchObject({ TagResource: 1, UntagResource: 1 });
  });

  test('an update that changes nothing makes no write call', async () => {
    const props = { ...PROPS, Tags: { team: 'platform' } };
    const { id } = await create(props);
    endpoint().admin.resetCallCounts();
    const outcome = await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, props, { ...props }), inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).toBe(id);
    expect(writeCalls()).toBe(0);
    expect(endpoint().admin.callCounts().byOperation).toEqual({ GetEnvironmentAccountConnection: 1 });
  });

  test('a connection deleted out of band is filed again', async () => {
    const { id } = await create();
    await protonClientFor(endpoint(), ENVIRONMENT_ACCOUNT).send(new DeleteEnvironmentAccountConnectionCommand({ id }));
    const event = updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, { ...PROPS, RoleArn: roleArn('v2') });
    const outcome = await onConnectionEvent(event, inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).not.toBe(id);
    expect(connections()).toEqual([expect.objectContaining({ id: outcome.physicalResourceId, roleArn: roleArn('v2') })]);
  });

  test('a rejected connection fails the update, pointing to replaceRejected', async () => {
    const { id } = await create();
    await management().send(new RejectEnvironmentAccountConnectionCommand({ id }));
    endpoint().admin.resetCallCounts();
    await expect(onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, { ...PROPS, RoleArn: roleArn('v2') }), inAMinute(), deps().deps))
      .rejects.toThrow(`connection ${id} for environment "dev" was REJECTED by management account 111111111111, and a rejected connection can never be used. `
        + 'To file a new request, set replaceRejected: true on this EnvironmentAccountConnection (or ProtonEnvironmentLink) and deploy this stack: '
        + 'that deploy files a new request in place of the rejected one (property ReplaceRejected).');
    expect(connections()).toEqual([expect.objectContaining({ id, status: 'REJECTED', roleArn: roleArn('proton-dev') })]);
    // the role change's Update is refused (ConflictException); the connection is then read
    expect(endpoint().admin.callCounts().byOperation).toEqual({ UpdateEnvironmentAccountConnection: 1, GetEnvironmentAccountConnection: 1 });
  });

  test('replaceRejected: the update that turns it on files a new request in place of the rejected one, in one deploy', async () => {
    const { id } = await create();
    await management().send(new RejectEnvironmentAccountConnectionCommand({ id }));
    const outcome = await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, { ...PROPS, ReplaceRejected: 'true' }), inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).not.toBe(id);
    expect(connections()).toEqual([
      expect.objectContaining({ id, status: 'REJECTED' }),
      expect.objectContaining({ id: outcome.physicalResourceId, status: 'PENDING', environmentName: 'dev' }),
    ]);
    // CloudFormation then deletes the old physical id: the rejected connection
    await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, PROPS), inAMinute(), deps().deps);
    expect(connections()).toEqual([expect.objectContaining({ id: outcome.physicalResourceId, status: 'PENDING' })]);
  });

  test('the rollback Update of a failed update carries the bad values as old properties: it compares with them and never fails on them', async () => {
    const { id } = await create({ ...PROPS, Tags: { team: 'a' } });
    const bad = { ...PROPS, EnvironmentName: 'not a valid name!', Tags: 'not a map' };
    // the failed update
    await expect(onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, bad), inAMinute(), deps().deps))
      .rejects.toThrow('invalid EnvironmentName "not a valid name!"');
    // CloudFormation's rollback: old and new swapped
    const back = await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, bad, { ...PROPS, Tags: { team: 'a' } }), inAMinute(), deps().deps);
    expect(back.physicalResourceId).toBe(id);
    expect(connections()).toEqual([expect.objectContaining({ id, tags: expect.objectContaining({ team: 'a' }) })]);
    expect(writeCalls()).toBe(1); // the Create only: the rollback converged by reading
  });

  test('removing a CodeBuild role fails clearly: Proton cannot remove one', async () => {
    const withCodeBuild = { ...PROPS, CodebuildRoleArn: roleArn('codebuild') };
    const { id } = await create(withCodeBuild);
    await expect(onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, withCodeBuild, PROPS), inAMinute(), deps().deps))
      .rejects.toThrow(/has codebuildRoleArn set, and AWS Proton cannot remove a role from a connection/);
    expect(connections()[0].codebuildRoleArn).toBe(roleArn('codebuild'));
  });
});

describe('Delete', () => {
  test('deletes the connection', async () => {
    const { id } = await create();
    const outcome = await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, PROPS), inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).toBe(id);
    expect(connections()).toEqual([]);
  });

  test('an already deleted connection is success', async () => {
    const { id } = await create();
    await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, PROPS), inAMinute(), deps().deps);
    const again = onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, PROPS), inAMinute(), deps().deps);
    await expect(again).resolves.toEqual({ physicalResourceId: id });
  });

  test('a Delete after a failed Create touches nothing, not even the connection that made it fail', async () => {
    const { id } = await create();
    const { lines, deps: failingDeps } = deps();
    const other = { LogicalResourceId: 'OtherConnection' };
    await expect(onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, PROPS, other), inAMinute(), failingDeps)).rejects.toThrow(/already exists/);
    endpoint().admin.resetCallCounts();
    await onConnectionEvent({ ...deleteEvent(CONNECTION_RESOURCE_TYPE, 'not-created-0f0e', PROPS), ...other }, inAMinute(), failingDeps);
    expect(endpoint().admin.callCounts().byOperation.DeleteEnvironmentAccountConnection).toBeUndefined();
    expect(connections().map((c) => c.id)).toEqual([id]);
    expect(lines.join('\n')).toMatch(/names no connection \(its Create failed\): nothing to delete/);
  });

  test.each([
    ['an environment name that is no name', { ...PROPS, EnvironmentName: 'not a valid name!' }],
    ['a management account that is no account', { ...PROPS, ManagementAccountId: 'me' }],
    ['a role ARN, tags and flags that do not parse', { ...PROPS, RoleArn: 'nope', Tags: 'x', WaitForAcceptance: 'perhaps', AcceptanceTimeoutSeconds: 'soon' }],
  ])('the rollback Delete of a Create that failed on %s succeeds without searching with the bad values', async (_what, bad) => {
    const event = createEvent(CONNECTION_RESOURCE_TYPE, bad);
    const failure = await onConnectionEvent(event, inAMinute(), deps().deps).catch((error) => error);
    expect(failure.message).toMatch(/^invalid /);
    endpoint().admin.resetCallCounts();
    const { lines, deps: d } = deps();
    const outcome = await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, `not-created-${event.RequestId}`, bad), inAMinute(), d);
    expect(outcome).toEqual({ physicalResourceId: `not-created-${event.RequestId}` });
    if (bad.EnvironmentName !== PROPS.EnvironmentName || bad.ManagementAccountId !== PROPS.ManagementAccountId) {
      expect(endpoint().admin.callCounts().total).toBe(0);
      expect(lines.join('\n')).toMatch(/its properties name no valid environment and management account, so its Create never filed a request: nothing to delete/);
    } else {
      // valid names: it looks for a request its Create may have filed, and finds none
      expect(Object.keys(endpoint().admin.callCounts().byOperation)).toEqual(['ListEnvironmentAccountConnections']);
    }
  });

  test('a Delete by connection id never parses more than it needs: bad other properties still delete the connection', async () => {
    const { id } = await create();
    await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, { ...PROPS, RoleArn: 'nope', Tags: 'x' }), inAMinute(), deps().deps);
    expect(connections()).toEqual([]);
  });

  test('with the end-of-support switch, Update and Delete make no Proton call; Create refuses to file', async () => {
    const { id } = await create();
    endpoint().admin.resetCallCounts();
    const switched = { ...PROPS, EndOfSupport: 'true' };
    const { lines, deps: d } = deps();
    const updated = await onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, PROPS, switched), inAMinute(), d);
    expect(updated).toEqual({
      physicalResourceId: id,
      data: { Id: id, Arn: `arn:aws:proton:us-east-1:${ENVIRONMENT_ACCOUNT}:environment-account-connection/${id}`, Status: 'END_OF_SUPPORT' },
    });
    await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, switched), inAMinute(), d);
    expect(endpoint().admin.callCounts().total).toBe(0);
    expect(lines.join('\n')).toMatch(/cdk-proton-account-connections:endOfSupport is on: not calling AWS Proton/);
    const create2 = createEvent(CONNECTION_RESOURCE_TYPE, switched);
    await expect(onConnectionEvent(create2, inAMinute(), d)).rejects.toMatchObject({
      message: expect.stringMatching(/endOfSupport is on: AWS Proton has reached its end of support, so no connection request can be filed/),
      physicalResourceId: `none-filed-${create2.RequestId}`,
    });
    expect(endpoint().admin.callCounts().total).toBe(0);
  });

  test('a management account (a token at synth) that is this stack\'s own account fails before any call, Create and Update', async () => {
    const own = { ...PROPS, ManagementAccountId: ENVIRONMENT_ACCOUNT, WaitForAcceptance: 'true' };
    const event = createEvent(CONNECTION_RESOURCE_TYPE, own);
    await expect(onConnectionEvent(event, inAMinute(), deps().deps)).rejects.toMatchObject({
      message: `invalid ManagementAccountId "${ENVIRONMENT_ACCOUNT}": is this stack's own account, and a connection links this environment account to a different management account. Give the management account's id.`,
      physicalResourceId: `none-filed-${event.RequestId}`,
    });
    await expect(onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, 'a0a0a0a0-0000-4000-8000-000000000000', PROPS, own), inAMinute(), deps().deps))
      .rejects.toThrow(/is this stack's own account/);
    expect(endpoint().admin.callCounts().total).toBe(0);
  });

  test('a role ARN Proton could not return (over 200 characters for RoleArn and ComponentRoleArn) fails naming it; CodebuildRoleArn may be longer', async () => {
    const long = roleArn(`${'p/'.repeat(90)}proton`);
    expect(long.length).toBeGreaterThan(200);
    await expect(onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, { ...PROPS, RoleArn: long }), inAMinute(), deps().deps)).rejects.toThrow(
      `invalid RoleArn "${long}": must be 1 to 200 characters long (AWS Proton returns this role ARN in a shape of at most 200)`);
    await expect(onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, { ...PROPS, ComponentRoleArn: long }), inAMinute(), deps().deps)).rejects.toThrow(/invalid ComponentRoleArn/);
    const outcome = await onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, { ...PROPS, CodebuildRoleArn: long }), inAMinute(), deps().deps);
    expect(connections()).toEqual([expect.objectContaining({ id: outcome.physicalResourceId, codebuildRoleArn: long })]);
  });

  test('an unknown request type fails with no call', async () => {
    const event = { ...deleteEvent(CONNECTION_RESOURCE_TYPE, 'x', PROPS), RequestType: 'Import' } as any;
    await expect(onConnectionEvent(event, inAMinute(), deps().deps)).rejects.toThrow('unknown request type "Import": nothing was done');
    expect(endpoint().admin.callCounts().total).toBe(0);
  });

  test('RETAIN: a stack deleted and created again under the same name takes back the connection it kept, without adoptExisting', async () => {
    const props = { ...PROPS, RetainOnDelete: 'true', Tags: { team: 'a' } };
    const first = await create(props);
    await management().send(new AcceptEnvironmentAccountConnectionCommand({ id: first.id }));
    await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, first.id, props), inAMinute(), deps().deps);
    // same stack name, a new stack UUID; the new stack's role and tags
    const recreated = createEvent(CONNECTION_RESOURCE_TYPE, { ...props, RoleArn: roleArn('proton-dev-v2'), Tags: { team: 'b' } }, {
      StackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/EnvironmentAccountStack/7c7c7c7c-1111-4111-8111-111111111111',
    });
    const { lines, deps: d } = deps();
    const outcome = await onConnectionEvent(recreated, inAMinute(), d);
    expect(outcome).toMatchObject({ physicalResourceId: first.id, data: { Status: 'CONNECTED' } });
    expect(connections()).toEqual([expect.objectContaining({
      id: first.id, status: 'CONNECTED', roleArn: roleArn('proton-dev-v2'), tags: { 'team': 'b', 'cdk-proton-account-connections:owner': ownerTagValue(recreated) },
    })]);
    expect(lines.join('\n')).toMatch(`taking back CONNECTED connection ${first.id}, which this resource filed earlier`);
  });

  test('connections filed by releases before 1.0 (owner digest with the stack UUID) are still taken back', async () => {
    const event = createEvent(CONNECTION_RESOURCE_TYPE, PROPS);
    const filed = await protonClientFor(endpoint(), ENVIRONMENT_ACCOUNT).send(new CreateEnvironmentAccountConnectionCommand({
      managementAccountId: MANAGEMENT_ACCOUNT,
      environmentName: 'dev',
      roleArn: roleArn('proton-dev'),
      tags: [{ key: OWNER_TAG_KEY, value: legacyOwnerTagValue(event) }],
    }));
    const outcome = await onConnectionEvent(event, inAMinute(), deps().deps);
    expect(outcome.physicalResourceId).toBe(filed.environmentAccountConnection!.id);
  });

  test('RETAIN keeps the connection and says so', async () => {
    const props = { ...PROPS, RetainOnDelete: 'true' };
    const { id } = await create(props);
    const { lines, deps: d } = deps();
    await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, props), inAMinute(), d);
    expect(connections().map((c) => c.id)).toEqual([id]);
    expect(lines.join('\n')).toMatch(new RegExp(`RETAIN: connection ${id} is kept`));
  });
});

describe('waiting for acceptance', () => {
  const WAIT = { ...PROPS, WaitForAcceptance: 'true', AcceptanceTimeoutSeconds: '5' };

  async function decideWhenFiled(decide: (id: string) => Promise<unknown>) {
    for (let i = 0; i < 200; i++) {
      const pending = connections().find((c) => c.status === 'PENDING');
      if (pending) return decide(pending.id!);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no request was filed');
  }

  test('finishes once the management account accepts: CONNECTED', async () => {
    const event = createEvent(CONNECTION_RESOURCE_TYPE, WAIT);
    const [outcome] = await Promise.all([
      onConnectionEvent(event, inAMinute(), deps().deps),
      decideWhenFiled((id) => management().send(new AcceptEnvironmentAccountConnectionCommand({ id }))),
    ]);
    expect(outcome.data!.Status).toBe('CONNECTED');
  });

  test('a rejection fails the Create, which deletes the request it filed and reports a physical id whose rollback deletes nothing', async () => {
    const event = createEvent(CONNECTION_RESOURCE_TYPE, WAIT);
    let rejectedId = '';
    const [result] = await Promise.allSettled([
      onConnectionEvent(event, inAMinute(), deps().deps),
      decideWhenFiled((id) => {
        rejectedId = id;
        return management().send(new RejectEnvironmentAccountConnectionCommand({ id }));
      }),
    ]);
    expect(result.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason;
    expect(error.message).toBe(`connection ${rejectedId} for environment "dev" was REJECTED by management account ${MANAGEMENT_ACCOUNT}, and a rejected connection can never be used. `
      + 'Ask the management account to allow-list this environment account and environment; then set replaceRejected: true on this EnvironmentAccountConnection '
      + '(or ProtonEnvironmentLink) and deploy this stack: that deploy files a new request in place of the rejected one (property ReplaceRejected).');
    expect(error.physicalResourceId).toBe(`none-filed-${event.RequestId}`);
    expect(connections()).toEqual([]);
  });

  test.each([['DESTROY', {}], ['RETAIN', { RetainOnDelete: 'true' }]])(
    'a first deploy that times out waiting leaves no request behind (%s), so the retry files again', async (_policy, removal) => {
      const props = { ...WAIT, ...removal, AcceptanceTimeoutSeconds: '1' };
      const event = createEvent(CONNECTION_RESOURCE_TYPE, props);
      const failure = await onConnectionEvent(event, inAMinute(), deps().deps).catch((error) => error);
      expect(failure.message).toMatch(/is still PENDING after 1 s/);
      expect(failure.physicalResourceId).toBe(`none-filed-${event.RequestId}`);
      expect(connections()).toEqual([]);
      // CloudFormation's rollback Delete, then the retried deploy
      await onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, failure.physicalResourceId, props), inAMinute(), deps().deps);
      const retry = onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, { ...props, WaitForAcceptance: 'false' }), inAMinute(), deps().deps);
      await expect(retry).resolves.toMatchObject({ data: { Status: 'PENDING' } });
    });

  test('gives up after the bound with what to do', async () => {
    const started = Date.now();
    const failure = onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, { ...WAIT, AcceptanceTimeoutSeconds: '1' }), inAMinute(), deps().deps);
    await expect(failure).rejects.toThrow(/is still PENDING after 1 s. Accept it in management account 111111111111.*or set waitForAcceptance: false/);
    expect(Date.now() - started).toBeLessThan(4_000);
    // polling backs off: a handful of reads, not one per millisecond
    expect(endpoint().admin.callCounts().byOperation.GetEnvironmentAccountConnection).toBeLessThanOrEqual(15);
  });

  test('the Lambda deadline bounds the wait even when the timeout is longer', async () => {
    const failure = onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, { ...WAIT, AcceptanceTimeoutSeconds: '600' }), Date.now() + 300, deps().deps);
    await expect(failure).rejects.toThrow(/still PENDING/);
  });
});

describe('throttling storm', () => {
  test('half of all calls throttled: every lifecycle converges, no duplicates', async () => {
    endpoint().admin.setFaults({ seed: 7, throttlingRate: 0.5 });
    const names = ['alpha', 'beta', 'gamma', 'delta'];
    const created = await Promise.all(names.map(async (name) => {
      const props = { ...PROPS, EnvironmentName: name };
      const outcome = await onConnectionEvent(createEvent(CONNECTION_RESOURCE_TYPE, props), inAMinute(), deps().deps);
      return { props, id: outcome.physicalResourceId };
    }));
    expect(connections()).toHaveLength(4);
    await Promise.all(created.map(({ props, id }) =>
      onConnectionEvent(updateEvent(CONNECTION_RESOURCE_TYPE, id, props, { ...props, RoleArn: roleArn('v2') }), inAMinute(), deps().deps)));
    expect(connections().every((c) => c.roleArn === roleArn('v2'))).toBe(true);
    await Promise.all(created.map(({ props, id }) => onConnectionEvent(deleteEvent(CONNECTION_RESOURCE_TYPE, id, props), inAMinute(), deps().deps)));
    expect(connections()).toEqual([]);
    expect(endpoint().admin.faultCounts().ThrottlingException).toBeGreaterThan(5);
  }, 60_000);
});
