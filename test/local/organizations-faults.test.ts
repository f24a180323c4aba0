import { readFileSync } from 'fs';
import * as path from 'path';
import { ListEnvironmentAccountConnectionsCommand, ProtonClient } from '@aws-sdk/client-proton';
import { credentialsForAccount } from '../../local/local-credentials';
import { LocalOrganizationsClient, OrganizationsCallError, OrganizationDocument } from '../../local/organizations';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const EXAMPLE: OrganizationDocument = JSON.parse(readFileSync(path.join(__dirname, '../../local/organizations/example-organization.json'), 'utf8'));
const MGMT = '111111111111';
const ROOT = 'r-ex12';

let proton: LocalProton;
let org: LocalOrganizationsClient;
const protonClients: ProtonClient[] = [];

beforeAll(async () => {
  proton = await startLocalProton({ organization: EXAMPLE });
  org = new LocalOrganizationsClient({ endpoint: proton.url, credentials: credentialsForAccount(MGMT) });
});
afterEach(async () => {
  protonClients.splice(0).forEach((c) => c.destroy());
  proton.admin.reset();
  proton.admin.organizations.setFaults({});
  await proton.admin.setEndOfSupport(undefined);
});
afterAll(() => proton.close());

const admin = () => proton.admin.organizations;
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    if (err instanceof OrganizationsCallError) return `${err.name} ${err.status}`;
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message; // a dropped connection
  }
}

/** A sweep as the acceptor will make it: every account under the root, depth-first, each List* call paginated. */
async function sweep(send: (op: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>): Promise<string[]> {
  const found: string[] = [];
  const all = async (op: string, input: Record<string, unknown>, key: string) => {
    const items: Array<{ Id: string }> = [];
    let token: string | undefined;
    do {
      const page = await send(op, token ? { ...input, NextToken: token } : input);
      items.push(...(page[key] as Array<{ Id: string }>));
      token = page.NextToken as string | undefined;
    } while (token);
    return items;
  };
  const walk = async (parent: string): Promise<void> => {
    found.push(...(await all('ListAccountsForParent', { ParentId: parent, MaxResults: 1 }, 'Accounts')).map((a) => a.Id));
    for (const ou of await all('ListOrganizationalUnitsForParent', { ParentId: parent }, 'OrganizationalUnits')) await walk(ou.Id);
  };
  await walk(ROOT);
  return found.sort();
}

/** Retries TooManyRequestsException with exponential backoff (what a caller's loop should do). */
function withBackoff(client: LocalOrganizationsClient, log: string[]) {
  return async (op: string, input: Record<string, unknown>) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.send<Record<string, unknown>>(op, input);
      } catch (err) {
        if (!(err instanceof OrganizationsCallError) || err.name !== 'TooManyRequestsException' || attempt >= 6) throw err;
        log.push(`${op} throttled, retry ${attempt + 1} after ${2 ** attempt} ms`);
        await new Promise((r) => setTimeout(r, 2 ** attempt));
      }
    }
  };
}

const ALL_ACCOUNTS = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555', '666666666666', '777777777777', '888888888888'];

describe('throttling', () => {
  test('throttleNext(n): the next n calls of any operation answer TooManyRequestsException (429), then calls pass', async () => {
    admin().throttleNext(2);
    expect(await outcome(org.send('ListRoots'))).toBe('TooManyRequestsException 429');
    expect(await outcome(org.send('ListAccounts'))).toBe('TooManyRequestsException 429');
    expect(await outcome(org.send('ListAccounts'))).toBe('ok');
    const answer = await org.raw('ListRoots', '{}');
    expect(answer.status).toBe(200);
    expect(admin().callCounts()).toMatchObject({ total: 4, faulted: 2, faultedByOperation: { ListRoots: 1, ListAccounts: 1 } });
    expect(admin().faultCounts().TooManyRequestsException).toBe(2);
  });

  test('the throttled answer as the SDK reads it: x-amzn-errortype, __type, Message', async () => {
    admin().throttleNext(1, 'ListRoots');
    const answer = await org.raw('ListRoots', '{}');
    expect(answer.status).toBe(429);
    expect(answer.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
    expect(JSON.parse(answer.body)).toEqual({ __type: 'TooManyRequestsException', Message: expect.stringMatching(/^You have sent too many requests in too short a period of time\. Try again later\. \(scripted fault\)$/) });
  });

  test('failNext per operation, with other errors and messages; queued ones are listed', async () => {
    admin().failNext('ListChildren', 'TooManyRequestsException', 2);
    admin().failNext('DescribeAccount', 'ServiceException', 1, 'down for maintenance');
    expect(admin().scriptedFaults()).toEqual({
      ListChildren: [{ kind: 'TooManyRequestsException', remaining: 2 }],
      DescribeAccount: [{ kind: 'ServiceException', remaining: 1, message: 'down for maintenance' }],
    });
    expect(await outcome(org.send('ListAccounts'))).toBe('ok');
    expect(await outcome(org.send('ListChildren', { ParentId: ROOT, ChildType: 'ACCOUNT' }))).toBe('TooManyRequestsException 429');
    await expect(org.send('DescribeAccount', { AccountId: MGMT })).rejects.toMatchObject({ name: 'ServiceException', status: 500, message: 'down for maintenance' });
    expect(await outcome(org.send('ListChildren', { ParentId: ROOT, ChildType: 'ACCOUNT' }))).toBe('TooManyRequestsException 429');
    expect(await outcome(org.send('ListChildren', { ParentId: ROOT, ChildType: 'ACCOUNT' }))).toBe('ok');
    expect(admin().scriptedFaults()).toEqual({});
    expect(() => admin().failNext('CreateAccount')).toThrow(/unknown Organizations operation "CreateAccount"/);
    expect(() => admin().failNext('*', 'ThrottlingException' as never)).toThrow(/unknown fault "ThrottlingException"/);
  });

  test('a throttlingRate share, deterministic for a seed; a caller with backoff still sees the whole organization', async () => {
    const schedule = async () => {
      admin().setFaults({ seed: 42, throttlingRate: 0.4 });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) outcomes.push(await outcome(org.send('ListRoots')));
      return outcomes;
    };
    const first = await schedule();
    expect(await schedule()).toEqual(first);
    const throttled = first.filter((o) => o === 'TooManyRequestsException 429').length;
    expect(throttled).toBeGreaterThan(2);
    expect(throttled).toBeLessThan(18);

    admin().setFaults({ seed: 7, throttlingRate: 0.3 });
    admin().resetCallCounts();
    const log: string[] = [];
    expect(await sweep(withBackoff(org, log))).toEqual(ALL_ACCOUNTS);
    const calls = admin().callCounts();
    expect(log.length).toBeGreaterThan(0);
    expect(calls.faulted).toBe(log.length);
    expect(calls.total).toBe(log.length + 15); // the same sweep without faults takes 15 calls (below)
  });

  test('Organizations calls per sweep, for a benchmark: resetCallCounts, sweep, callCounts().total', async () => {
    admin().resetCallCounts();
    expect(await sweep((op, input) => org.send(op, input))).toEqual(ALL_ACCOUNTS);
    const calls = admin().callCounts();
    // 6 parents (root + 5 OUs): one ListOrganizationalUnitsForParent each; ListAccountsForParent one page per account
    // (MaxResults 1), at least one per parent: root 2, Workloads 1 (empty), Prod 1, Payments 1, Dev 2, Security 2
    expect(calls.byOperation).toEqual({ ListAccountsForParent: 9, ListOrganizationalUnitsForParent: 6 });
    expect(calls.total).toBe(15);
    expect(calls.faulted).toBe(0);
  });
});

describe('the other faults', () => {
  test('emptyPageRate: List* answers empty pages with a NextToken; a caller that follows NextToken still gets everything', async () => {
    admin().setFaults({ seed: 3, emptyPageRate: 0.5 });
    const { items, pages } = await org.paginate('ListAccounts', { MaxResults: 3 }, 'Accounts');
    expect((items as Array<{ Id: string }>).map((a) => a.Id)).toEqual(ALL_ACCOUNTS);
    expect(pages).toBeGreaterThan(3);
    expect(admin().faultCounts().EmptyPage).toBe(pages - 3);
    // the scripted form, and non-List operations are not affected
    admin().setFaults({});
    admin().failNext('ListAccounts', 'EmptyPage');
    const empty = await org.send<{ Accounts: unknown[]; NextToken?: string }>('ListAccounts');
    expect(empty.Accounts).toEqual([]);
    expect((await org.send<{ Accounts: unknown[] }>('ListAccounts', { NextToken: empty.NextToken })).Accounts).toHaveLength(8);
    admin().failNext('DescribeOrganization', 'EmptyPage');
    expect(await outcome(org.send('DescribeOrganization'))).toBe('ok');
  });

  test('dropRate / ConnectionDrop: the socket is closed without an answer', async () => {
    admin().failNext('ListRoots', 'ConnectionDrop');
    expect(await outcome(org.send('ListRoots'))).toMatch(/ECONNRESET|socket hang up/);
    expect(await outcome(org.send('ListRoots'))).toBe('ok');
  });

  test('serviceErrorRate, latency, and the operations filter', async () => {
    admin().setFaults({ serviceErrorRate: 1, operations: ['DescribeAccount'], latencyMs: [30, 30] });
    expect(await outcome(org.send('ListRoots'))).toBe('ok');
    const started = Date.now();
    expect(await outcome(org.send('DescribeAccount', { AccountId: MGMT }))).toBe('ServiceException 500');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(admin().faultCounts()).toMatchObject({ ServiceException: 1, Latency: 1 });
  });

  test('options are checked', () => {
    expect(() => admin().setFaults({ throttlingRate: 0.7, serviceErrorRate: 0.5 })).toThrow('organizationsFaults: throttlingRate + serviceErrorRate + dropRate add up to 1.2, more than 1');
    expect(() => admin().setFaults({ emptyPageRate: -1 })).toThrow('organizationsFaults.emptyPageRate must be a number between 0 and 1 (got -1)');
    expect(() => admin().setFaults({ throttlingrate: 0.1 } as never)).toThrow(/organizationsFaults.throttlingrate: unknown option/);
  });

  test('over HTTP: set the faults, throttle the next calls, read the counts', async () => {
    const post = (route: string, body: unknown) => fetch(`${proton.url}/_local/organizations${route}`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await post('/faults', { seed: 9, throttlingRate: 0 })).toEqual({ status: 200, body: { options: { seed: 9, throttlingRate: 0 } } });
    expect(await post('/fail-next', { count: 2 })).toEqual({ status: 200, body: { scripted: { '*': [{ kind: 'TooManyRequestsException', remaining: 2 }] } } });
    expect(await post('/fail-next', { errorName: 'Nope' })).toEqual({ status: 400, body: { error: 'unknown errorName "Nope"' } });
    expect(await outcome(org.send('ListRoots'))).toBe('TooManyRequestsException 429');
    const calls = await fetch(`${proton.url}/_local/organizations/calls`).then((r) => r.json());
    expect(calls).toMatchObject({ calls: { total: 1, faulted: 1 }, faults: { TooManyRequestsException: 1 } });
    const faults = await fetch(`${proton.url}/_local/organizations/faults`).then((r) => r.json());
    expect(faults).toEqual({ options: { seed: 9, throttlingRate: 0 }, counts: expect.objectContaining({ TooManyRequestsException: 1 }), scripted: { '*': [{ kind: 'TooManyRequestsException', remaining: 1 }] } });
    expect(await post('/reset-calls', {})).toEqual({ status: 200, body: { ok: true } });
    expect(admin().callCounts().total).toBe(0);
  });

  test('startup fault options (organizationsFaults) are restored by reset()', async () => {
    const throttled = await startLocalProton({ organization: EXAMPLE, organizationsFaults: { throttlingRate: 1 } });
    try {
      const client = new LocalOrganizationsClient({ endpoint: throttled.url, credentials: credentialsForAccount(MGMT) });
      expect(await outcome(client.send('ListRoots'))).toBe('TooManyRequestsException 429');
      throttled.admin.organizations.setFaults({});
      expect(await outcome(client.send('ListRoots'))).toBe('ok');
      throttled.admin.reset();
      expect(throttled.admin.organizations.faults()).toEqual({ throttlingRate: 1 });
      expect(await outcome(client.send('ListRoots'))).toBe('TooManyRequestsException 429');
    } finally {
      await throttled.close();
    }
  });
});

describe('Organizations and Proton side by side on one endpoint', () => {
  const protonClient = () => {
    const c = new ProtonClient({ endpoint: proton.url, region: 'us-east-1', credentials: credentialsForAccount(MGMT), maxAttempts: 1 });
    protonClients.push(c);
    return c;
  };

  test('each counts and faults apart', async () => {
    proton.admin.setFaults({ throttlingRate: 1 });
    expect(await outcome(org.send('ListRoots'))).toBe('ok');
    await expect(protonClient().send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    proton.admin.setFaults({});
    admin().throttleNext(5);
    expect((await protonClient().send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }))).environmentAccountConnections).toEqual([]);
    expect(proton.admin.callCounts().byOperation).toEqual({ ListEnvironmentAccountConnections: 2 });
    expect(admin().callCounts().byOperation).toEqual({ ListRoots: 1 });
    proton.admin.reset(); // the endpoint's reset clears the Organizations faults and counts too
    expect(admin().scriptedFaults()).toEqual({});
    expect(admin().callCounts().total).toBe(0);
  });

  test('in html-403 end-of-support mode Proton answers the HTML page and Organizations still answers', async () => {
    await proton.admin.setEndOfSupport('html-403');
    expect(await outcome(org.send('ListRoots'))).toBe('ok');
    await expect(protonClient().send(new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  test('a Proton target is not an Organizations one, and the reverse', async () => {
    const asProton = await org.raw('ListRoots', '{}', { 'x-amz-target': 'AwsProton20200720.ListRoots', 'content-type': 'application/x-amz-json-1.0' });
    expect(JSON.parse(asProton.body).__type).toBe('UnknownOperationException');
    expect(admin().callCounts().total).toBe(0);
  });
});
