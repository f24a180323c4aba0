import {
  AcceptEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommand,
  GetEnvironmentAccountConnectionCommand,
  ProtonClient,
} from '@aws-sdk/client-proton';
import { ENV, MGMT, failure, useEndpointUnderTest } from './endpoint-test-kit';
import { FaultOptions, LocalProton, startLocalProton } from '../../../local/proton-endpoint';

const ACCEPT = 'AcceptEnvironmentAccountConnection';
const CREATE = 'CreateEnvironmentAccountConnection';
const GET = 'GetEnvironmentAccountConnection';

const STARTUP_FAULTS: FaultOptions = { seed: 7, throttlingRate: 0, operations: [GET] };
const endpoint = useEndpointUnderTest({ faults: STARTUP_FAULTS });

function client(account: string, maxAttempts?: number, server?: LocalProton): ProtonClient {
  return endpoint.client(account, { maxAttempts, server });
}

async function create(name = 'dev', clientToken?: string, maxAttempts?: number, server?: LocalProton) {
  return (await client(ENV, maxAttempts, server).send(new CreateEnvironmentAccountConnectionCommand({
    environmentName: name, managementAccountId: MGMT, roleArn: `arn:aws:iam::${ENV}:role/ProtonRole`, clientToken,
  }))).environmentAccountConnection!;
}


describe('scripted faults (failNext)', () => {
  test('two ThrottlingExceptions are absorbed by the SDK default of 3 attempts', async () => {
    const c = await create();
    endpoint.proton.admin.resetCallCounts();
    endpoint.proton.admin.failNext(ACCEPT, 'ThrottlingException', 2);
    const out = await client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id }));
    expect(out.environmentAccountConnection!.status).toBe('CONNECTED');
    expect(out.$metadata.attempts).toBe(3);
    expect(endpoint.proton.admin.callCounts()).toEqual({
      total: 3,
      byOperation: { [ACCEPT]: 3 },
      byAccount: { [MGMT]: { [ACCEPT]: 3 } },
      faultedByOperation: { [ACCEPT]: 2 },
      faulted: 2,
    });
    expect(endpoint.proton.admin.faultCounts()).toMatchObject({ ThrottlingException: 2, InternalServerException: 0 });
    expect(endpoint.proton.admin.events({ account: MGMT }).map((e) => e.detail.status)).toEqual(['PENDING', 'CONNECTED']);
  });

  test('three ThrottlingExceptions exhaust the default attempts, and throttled calls change nothing', async () => {
    const c = await create();
    endpoint.proton.admin.failNext(ACCEPT, 'ThrottlingException', 3, 'Rate exceeded');
    const err = await failure(client(MGMT).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id })));
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata).toMatchObject({ httpStatusCode: 429, attempts: 3 });
    expect(endpoint.proton.admin.callCounts().byOperation[ACCEPT]).toBe(3);
    expect(endpoint.proton.admin.dump().connections[0].status).toBe('PENDING');
    expect(endpoint.proton.admin.events({ account: MGMT })).toHaveLength(1);
    expect(endpoint.proton.admin.scriptedFaults()).toEqual({});
  });

  test('InternalServerException is retried; a non-retryable scripted error fails at once', async () => {
    endpoint.proton.admin.failNext(CREATE, 'InternalServerException', 1);
    endpoint.proton.admin.failNext(CREATE, 'ConflictException', 1, 'scripted conflict');
    const err = await failure(create());
    expect(err.name).toBe('ConflictException');
    expect(err.message).toBe('scripted conflict');
    expect(err.$metadata.attempts).toBe(2);
    expect(endpoint.proton.admin.dump().connections).toEqual([]);
    expect(endpoint.proton.admin.faultCounts()).toMatchObject({ InternalServerException: 1, ConflictException: 1 });
  });

  test('scripted faults take precedence over random ones and apply only to their operation', async () => {
    endpoint.proton.admin.setFaults({ seed: 1, throttlingRate: 1, operations: [GET] });
    endpoint.proton.admin.failNext(GET, 'AccessDeniedException', 1);
    const c = await create();
    const first = await failure(client(ENV, 1).send(new GetEnvironmentAccountConnectionCommand({ id: c.id })));
    expect(first.name).toBe('AccessDeniedException');
    const second = await failure(client(ENV, 1).send(new GetEnvironmentAccountConnectionCommand({ id: c.id })));
    expect(second.name).toBe('ThrottlingException');
  });

  test('a dropped connection (before the operation) is retried by the SDK', async () => {
    endpoint.proton.admin.failNext(CREATE, 'ConnectionDrop', 1);
    const c = await create();
    expect(c.status).toBe('PENDING');
    expect(endpoint.proton.admin.dump().connections).toHaveLength(1);
    expect(endpoint.proton.admin.callCounts()).toMatchObject({ total: 2, faulted: 1 });
    expect(endpoint.proton.admin.faultCounts().ConnectionDrop).toBe(1);
  });

  test('a response lost after commit is made safe by the clientToken the SDK repeats on retry', async () => {
    endpoint.proton.admin.failNext(CREATE, 'ConnectionDropAfterCommit', 1);
    const c = await create();
    expect(endpoint.proton.admin.dump().connections.map((x) => x.id)).toEqual([c.id]);
    expect(endpoint.proton.admin.events({ account: ENV })).toHaveLength(1);
    expect(endpoint.proton.admin.callCounts().byOperation[CREATE]).toBe(2);
    expect(endpoint.proton.admin.faultCounts().ConnectionDropAfterCommit).toBe(1);
  });

  test('without a clientToken the retry after a lost response conflicts with the committed request', async () => {
    endpoint.proton.admin.failNext(CREATE, 'ConnectionDropAfterCommit', 1);
    const err = await failure(create('dev', ''));
    expect(err.name).toBe('ConflictException');
    const id = endpoint.proton.admin.dump().connections[0].id;
    expect(err.message).toContain(id);
  });

  test('failNext rejects unknown operations, fault names and counts', () => {
    expect(() => endpoint.proton.admin.failNext('CreateEnvironment', 'ThrottlingException', 1)).toThrow(/unknown operation/);
    expect(() => endpoint.proton.admin.failNext(CREATE, 'Boom' as never, 1)).toThrow(/unknown fault/);
    expect(() => endpoint.proton.admin.failNext(CREATE, 'ThrottlingException', 0)).toThrow(/count/);
  });
});

describe('random faults', () => {
  async function outcomes(server: LocalProton, n: number, name = 'dev'): Promise<string[]> {
    const c = await create(name, undefined, undefined, server);
    const results: string[] = [];
    const get = client(ENV, 1, server);
    for (let i = 0; i < n; i++) {
      try {
        await get.send(new GetEnvironmentAccountConnectionCommand({ id: c.id }));
        results.push('ok');
      } catch (err) {
        results.push((err as Error).name === 'Error' ? 'drop' : (err as Error).name);
      }
    }
    return results;
  }

  const FAULTS: FaultOptions = { seed: 42, throttlingRate: 0.3, internalErrorRate: 0.1, dropRate: 0.1, operations: [GET] };

  test('the same seed gives the same fault schedule; another seed a different one', async () => {
    const a = await startLocalProton({ faults: FAULTS });
    const b = await startLocalProton({ faults: FAULTS });
    const other = await startLocalProton({ faults: { ...FAULTS, seed: 43 } });
    try {
      const first = await outcomes(a, 40);
      expect(await outcomes(b, 40)).toEqual(first);
      expect(await outcomes(other, 40)).not.toEqual(first);
      expect(new Set(first)).toEqual(new Set(['ok', 'ThrottlingException', 'InternalServerException', 'drop']));
      const counts = a.admin.faultCounts();
      expect(counts.ThrottlingException).toBe(first.filter((x) => x === 'ThrottlingException').length);
      expect(counts.ConnectionDrop).toBe(first.filter((x) => x === 'drop').length);
      expect(a.admin.callCounts().faultedByOperation[GET]).toBe(first.filter((x) => x !== 'ok').length);
      // setFaults re-seeds: the schedule starts over.
      a.admin.setFaults(FAULTS);
      expect(await outcomes(a, 40, 'again')).toEqual(first);
      // reset() restores the startup options and seed as well.
      a.admin.reset();
      expect(await outcomes(a, 40)).toEqual(first);
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  test('operations restricts random faults; faulted calls never mutate state', async () => {
    endpoint.proton.admin.setFaults({ seed: 3, throttlingRate: 1, operations: [CREATE] });
    const err = await failure(create('dev', undefined, 1));
    expect(err.name).toBe('ThrottlingException');
    expect(endpoint.proton.admin.dump().connections).toEqual([]);
    expect(endpoint.proton.admin.events()).toEqual([]);
    endpoint.proton.admin.setFaults({ seed: 3, internalErrorRate: 1, operations: [ACCEPT] });
    const c = await create();
    expect((await failure(client(MGMT, 1).send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id })))).name).toBe('InternalServerException');
    expect(endpoint.proton.admin.dump().connections[0].status).toBe('PENDING');
  });

  test('dropAfterCommitRate with SDK retries converges to exactly one connection per request', async () => {
    endpoint.proton.admin.setFaults({ seed: 11, dropAfterCommitRate: 0.5, operations: [CREATE] });
    const names = Array.from({ length: 8 }, (_, i) => `env-${i}`);
    const created = [];
    // Sequential, so the seeded schedule is the same on every run.
    for (const name of names) created.push(await create(name, undefined, 10));
    expect(endpoint.proton.admin.dump().connections.map((c) => c.id).sort()).toEqual(created.map((c) => c.id).sort());
    expect(endpoint.proton.admin.faultCounts().ConnectionDropAfterCommit).toBeGreaterThan(0);
    expect(endpoint.proton.admin.callCounts().byOperation[CREATE]).toBe(8 + endpoint.proton.admin.faultCounts().ConnectionDropAfterCommit);
  });

  test('latency is added within the configured range and counted', async () => {
    const c = await create();
    endpoint.proton.admin.setFaults({ seed: 5, latencyMs: [40, 60] });
    const start = Date.now();
    await client(ENV).send(new GetEnvironmentAccountConnectionCommand({ id: c.id }));
    expect(Date.now() - start).toBeGreaterThanOrEqual(39);
    expect(endpoint.proton.admin.faultCounts().Latency).toBe(1);
    expect(endpoint.proton.admin.callCounts().faulted).toBe(0);
  });

  test('reset() restores the startup fault options; invalid options are refused', () => {
    endpoint.proton.admin.setFaults({ throttlingRate: 0.5 });
    endpoint.proton.admin.reset();
    expect(endpoint.proton.admin.faults()).toEqual(STARTUP_FAULTS);
    expect(() => endpoint.proton.admin.setFaults({ throttlingRate: 2 })).toThrow(/throttlingRate/);
    expect(() => endpoint.proton.admin.setFaults({ throttlingRate: 0.6, dropRate: 0.6 })).toThrow(/more than 1/);
    expect(() => endpoint.proton.admin.setFaults({ latencyMs: [10, 5] })).toThrow(/latencyMs/);
  });
});
