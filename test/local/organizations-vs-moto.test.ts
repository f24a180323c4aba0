/**
 * The local Organizations read surface against an independent implementation: moto 5.2.5's server (installed in
 * .venv from requirements-dev.txt by `npx projen python:env`). The same tree is built in both, in moto through its
 * own API (CreateOrganization, CreateOrganizationalUnit, CreateAccount, MoveAccount, CloseAccount); moto generates
 * its own ids, so the answers are compared after mapping moto's ids (organization, root, OUs, accounts, also inside
 * ARNs) to the local ones, with timestamps reduced to their type. The same client, `@aws-sdk/client-organizations`
 * 3.1029.0, sends the same read calls to both (LocalOrganizationsClient builds the tree and checks the raw wire). Where moto differs from the AWS model (botocore's
 * organizations/2016-11-28/service-2.json, and the Smithy model's httpError traits the SDK carries), the local
 * endpoint follows the model; every such difference is listed in DIFFERENCES and asserted where it shows.
 */
import { ChildProcess, spawn } from 'child_process';
import { existsSync } from 'fs';
import { createServer } from 'net';
import * as path from 'path';
import * as OrganizationsSdk from '@aws-sdk/client-organizations';
import { credentialsForAccount } from '../../local/local-credentials';
import { LocalOrganizationsClient, OrganizationDocument } from '../../local/organizations';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const MOTO_SERVER = path.join(REPO_ROOT, '.venv', 'bin', 'moto_server');

/** Where moto 5.2.5 differs from the model, and so from the local endpoint (which follows the model). */
const DIFFERENCES = {
  paths: 'moto omits Account.Paths and OrganizationalUnit.Path; the model has both (entity paths o-.../r-.../ou-.../[account/]), the local endpoint sends them',
  httpStatus: 'moto answers every error with HTTP 400; the Smithy model\'s httpError traits give AccessDenied 403, *NotFound and AWSOrganizationsNotInUse 404, TooManyRequests 429 (the SDK maps by __type either way)',
  nullNextToken: 'moto sends "NextToken": null on the last page; the local endpoint omits the member (the SDK reads both as undefined)',
  unpaginated: 'moto ignores MaxResults and NextToken on ListChildren, ListParents and ListRoots; the model pages every List* operation (MaxResults 1-20)',
  listAccountsDefault: 'moto\'s ListAccounts page is 100 accounts by default, above the model\'s MaxResults maximum of 20; the local default is 20 for every operation (AWS documents only "a value that is specific to the operation")',
  noInputValidation: 'moto does not check the model\'s constraints: malformed ids answer *NotFoundException (DescribeOrganizationalUnit of the root id even describes the root), MaxResults 0 or 25 is accepted, a missing ParentId is ParentNotFoundException; the local endpoint answers InvalidInputException with the model\'s Reason (INVALID_PATTERN, MIN/MAX_VALUE_EXCEEDED, INPUT_REQUIRED)',
  listParentsNotFound: 'moto answers ListParents of an unknown child with AccountNotFoundException or OrganizationalUnitNotFoundException; the model\'s errors of ListParents are ChildNotFoundException (neither of moto\'s is in its list)',
  reason: 'moto\'s InvalidInputException has no Reason member (a bad ChildType: "You specified an invalid value."); the model\'s InvalidInputException has Reason, the local endpoint sends INVALID_ENUM',
  invalidToken: 'moto answers a bad NextToken with InvalidToken, an error the Organizations model does not have; the local endpoint answers InvalidInputException with Reason INVALID_NEXT_TOKEN (the model\'s enum value)',
  availablePolicyTypes: 'moto\'s DescribeOrganization lists SERVICE_CONTROL_POLICY ENABLED in the deprecated AvailablePolicyTypes while its root\'s PolicyTypes is empty; the local endpoint answers [] consistently with ListRoots',
  memberAccess: 'moto lets a member account without delegation call ListRoots (answering the organization\'s root) and answers its ListAccounts, ListChildren, ... from an empty organization; the model documents these operations for the management account and delegated administrators only: the local endpoint answers AccessDeniedException',
  contentType: 'moto\'s successful answers have content-type text/html; the local endpoint answers application/x-amz-json-1.1 (as awsJson1_1 does)',
  messages: 'error messages differ in wording (the local ones name the offending value); only __type, Reason and the HTTP status are compared',
} as const;

const MGMT = '111111111111';
const LOCAL_ORG = 'o-localorg01';
const LOCAL_ROOT = 'r-lo12';
const OUS = [
  { key: 'Workloads', id: 'ou-lo12-workload', parent: 'root' },
  { key: 'Prod', id: 'ou-lo12-prod0001', parent: 'Workloads' },
  { key: 'Payments', id: 'ou-lo12-payments', parent: 'Prod' },
  { key: 'Dev', id: 'ou-lo12-dev00001', parent: 'Workloads' },
  { key: 'Security', id: 'ou-lo12-security', parent: 'root' },
  { key: 'Bulk', id: 'ou-lo12-bulk0001', parent: 'root' },
] as const;
const ACCOUNTS = [
  { name: 'dev', id: '222222222222', parent: 'Dev' },
  { name: 'prod', id: '333333333333', parent: 'Prod' },
  { name: 'payments-prod', id: '444444444444', parent: 'Payments' },
  { name: 'dev2', id: '555555555555', parent: 'Dev' },
  { name: 'audit', id: '666666666666', parent: 'Security' },
  { name: 'sandbox', id: '777777777777', parent: 'root', closed: true },
  { name: 'tooling', id: '888888888888', parent: 'Security' },
  ...Array.from({ length: 14 }, (_, i) => ({ name: `bulk-${String(i).padStart(2, '0')}`, id: `9000000000${String(i).padStart(2, '0')}`, parent: 'Bulk' })),
] as ReadonlyArray<{ name: string; id: string; parent: string; closed?: boolean }>;

const localParent = (key: string) => (key === 'root' ? LOCAL_ROOT : OUS.find((o) => o.key === key)!.id);

const LOCAL_DOCUMENT: OrganizationDocument = {
  managementAccountId: MGMT,
  organizationId: LOCAL_ORG,
  rootId: LOCAL_ROOT,
  organizationalUnits: OUS.map((o) => ({ id: o.id, name: o.key, parent: localParent(o.parent) })),
  accounts: [
    { id: MGMT, name: 'master', email: 'master@example.com', parent: LOCAL_ROOT },
    ...ACCOUNTS.map((a) => ({ id: a.id, name: a.name, email: `${a.name}@example.com`, parent: localParent(a.parent), status: a.closed ? 'SUSPENDED' as const : undefined })),
  ],
  delegatedAdministrators: ['666666666666'],
};

let moto: ChildProcess | undefined;
let motoStderr = '';
let motoUrl: string;
let local: LocalProton;
/** moto id -> local id (organization, root, OUs, accounts), longest first for replacement inside ARNs. */
let motoToLocal: Array<[string, string]> = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForMoto(url: string, deadline: number): Promise<void> {
  for (;;) {
    if (moto?.exitCode !== null) throw new Error(`moto_server exited (${String(moto?.exitCode)}): ${motoStderr}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${url} within 30 s: ${motoStderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A client for `account` (moto picks the caller's account from x-moto-account-id; the local endpoint from the access key). */
const motoClient = (account = MGMT) => new LocalOrganizationsClient({ endpoint: motoUrl, credentials: credentialsForAccount(account), headers: { 'x-moto-account-id': account } });
const localClient = (account = MGMT) => new LocalOrganizationsClient({ endpoint: local.url, credentials: credentialsForAccount(account) });

type Send = <T = Record<string, unknown>>(op: string, input: Record<string, unknown>) => Promise<T>;
const sdkClients: OrganizationsSdk.OrganizationsClient[] = [];
type AnyCommand = new (input: unknown) => OrganizationsSdk.ListRootsCommand;

/** `@aws-sdk/client-organizations` for `account` (no retries); for moto it adds x-moto-account-id. */
function sdkSender(endpoint: string, account: string, forMoto: boolean): Send {
  const client = new OrganizationsSdk.OrganizationsClient({ endpoint, region: 'us-east-1', credentials: credentialsForAccount(account), maxAttempts: 1 });
  if (forMoto) {
    client.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
      return next(args);
    }, { step: 'build', name: 'motoAccountId' });
  }
  sdkClients.push(client);
  return async <T>(op: string, input: Record<string, unknown>) => {
    const Command = (OrganizationsSdk as unknown as Record<string, AnyCommand>)[`${op}Command`];
    const { $metadata, ...output } = await client.send(new Command(input)) as unknown as Record<string, unknown>;
    return output as T;
  };
}
const motoSdk = (account = MGMT) => sdkSender(motoUrl, account, true);
const localSdk = (account = MGMT) => sdkSender(local.url, account, false);

/** Builds the tree in moto through its API; returns moto id -> local id. */
async function buildInMoto(): Promise<Array<[string, string]>> {
  const m = motoClient();
  const map = new Map<string, string>();
  const created = await m.send<{ Organization: { Id: string } }>('CreateOrganization', { FeatureSet: 'ALL' });
  map.set(created.Organization.Id, LOCAL_ORG);
  const root = (await m.send<{ Roots: Array<{ Id: string }> }>('ListRoots')).Roots[0].Id;
  map.set(root, LOCAL_ROOT);
  const motoParent = new Map<string, string>([['root', root]]);
  for (const ou of OUS) {
    const answer = await m.send<{ OrganizationalUnit: { Id: string } }>('CreateOrganizationalUnit', { ParentId: motoParent.get(ou.parent), Name: ou.key });
    motoParent.set(ou.key, answer.OrganizationalUnit.Id);
    map.set(answer.OrganizationalUnit.Id, ou.id);
  }
  for (const account of ACCOUNTS) {
    const status = await m.send<{ CreateAccountStatus: { AccountId: string; State: string } }>('CreateAccount', { Email: `${account.name}@example.com`, AccountName: account.name });
    expect(status.CreateAccountStatus.State).toBe('SUCCEEDED');
    const id = status.CreateAccountStatus.AccountId;
    map.set(id, account.id);
    if (account.parent !== 'root') await m.send('MoveAccount', { AccountId: id, SourceParentId: root, DestinationParentId: motoParent.get(account.parent) });
    if (account.closed) await m.send('CloseAccount', { AccountId: id });
  }
  return [...map.entries()].sort((a, b) => b[0].length - a[0].length);
}

beforeAll(async () => {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(`moto's server is not installed at ${MOTO_SERVER}: run \`npx projen python:env\` (it installs requirements-dev.txt into .venv)`);
  }
  const port = await freePort();
  motoUrl = `http://127.0.0.1:${port}`;
  moto = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
  moto.stderr!.on('data', (chunk: Buffer) => {
    motoStderr = `${motoStderr}${chunk.toString('utf8')}`.slice(-4000);
  });
  await waitForMoto(motoUrl, Date.now() + 30_000);
  local = await startLocalProton({ organization: LOCAL_DOCUMENT });
  motoToLocal = await buildInMoto();
}, 90_000);

afterAll(async () => {
  sdkClients.splice(0).forEach((c) => c.destroy());
  await local?.close();
  if (moto && moto.exitCode === null) {
    const exited = new Promise((resolve) => moto!.once('exit', resolve));
    moto.kill('SIGTERM');
    await exited;
  }
});

/** moto's answer in local ids: every moto id (also inside ARNs) replaced, timestamps reduced to their type. */
function normalize(value: unknown, ids: Array<[string, string]>): unknown {
  if (typeof value === 'string') return ids.reduce((s, [from, to]) => s.split(from).join(to), value);
  if (Array.isArray(value)) return value.map((v) => normalize(v, ids));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k.endsWith('Timestamp') ? typeof v : normalize(v, ids)]));
  }
  return value;
}

/** The local answer with what moto does not send (DIFFERENCES.paths, .nullNextToken) taken out, timestamps as types. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([k]) => k !== 'Paths' && k !== 'Path')
      .map(([k, v]) => [k, k.endsWith('Timestamp') ? typeof v : comparable(v)]));
  }
  return value;
}

function withoutNullToken(answer: Record<string, unknown>): Record<string, unknown> {
  const { NextToken, ...rest } = answer;
  return NextToken === null || NextToken === undefined ? rest : answer;
}

/** The same input for moto: local ids replaced by moto's (unknown OU ids get moto's root part). */
function toMoto(input: Record<string, unknown>): Record<string, unknown> {
  const reverse = motoToLocal.map(([m, l]) => [l, m] as [string, string]).sort((a, b) => b[0].length - a[0].length);
  const motoRootPart = reverse.find(([l]) => l === LOCAL_ROOT)![1].slice(2);
  const mapped = normalize(input, reverse) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(mapped).split(`ou-${LOCAL_ROOT.slice(2)}-`).join(`ou-${motoRootPart}-`));
}

type Outcome = { ok: true; body: Record<string, unknown> } | { ok: false; type: string; status: number; reason?: string };

async function call(send: Send, op: string, input: Record<string, unknown>): Promise<Outcome> {
  try {
    return { ok: true, body: await send(op, input) };
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number }; Reason?: string };
    if (e.$metadata?.httpStatusCode === undefined) throw err;
    return { ok: false, type: e.name, status: e.$metadata.httpStatusCode, reason: e.Reason };
  }
}

async function both(op: string, input: Record<string, unknown> = {}, account = MGMT): Promise<{ moto: Outcome; local: Outcome }> {
  const [m, l] = await Promise.all([call(motoSdk(account), op, toMoto(input)), call(localSdk(account), op, input)]);
  return { moto: m.ok ? { ok: true, body: withoutNullToken(normalize(m.body, motoToLocal) as Record<string, unknown>) } : m, local: l };
}

/** Every item of a List* operation, following NextToken (moto's null included). */
async function allPages(send: Send, op: string, input: Record<string, unknown>, key: string): Promise<{ items: unknown[]; pageSizes: number[] }> {
  const items: unknown[] = [];
  const pageSizes: number[] = [];
  let token: string | undefined;
  do {
    const page = await send<Record<string, unknown>>(op, token ? { ...input, NextToken: token } : input);
    pageSizes.push((page[key] as unknown[]).length);
    items.push(...(page[key] as unknown[]));
    token = typeof page.NextToken === 'string' ? page.NextToken : undefined;
  } while (token);
  return { items, pageSizes };
}

const PARENTS = [LOCAL_ROOT, ...OUS.map((o) => o.id)];
const ALL_ACCOUNTS = [MGMT, ...ACCOUNTS.map((a) => a.id)];

describe('the same answers (modulo ids, timestamps and the listed differences)', () => {
  test('DescribeOrganization', async () => {
    const { moto: m, local: l } = await both('DescribeOrganization');
    if (!m.ok || !l.ok) throw new Error(`DescribeOrganization failed: ${JSON.stringify({ m, l })}`);
    const motoOrg = m.body.Organization as Record<string, unknown>;
    expect(motoOrg.AvailablePolicyTypes).toEqual([{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]); // DIFFERENCES.availablePolicyTypes
    expect({ ...motoOrg, AvailablePolicyTypes: [] }).toEqual(l.body.Organization);
  });

  test('ListRoots', async () => {
    const { moto: m, local: l } = await both('ListRoots');
    expect(m).toEqual(l);
  });

  test('DescribeAccount of every account', async () => {
    for (const id of ALL_ACCOUNTS) {
      const { moto: m, local: l } = await both('DescribeAccount', { AccountId: id });
      expect(l.ok && (l.body.Account as { Paths: string[] }).Paths[0]).toMatch(new RegExp(`^${LOCAL_ORG}/${LOCAL_ROOT}/.*${id}/$`)); // DIFFERENCES.paths
      expect(m).toEqual(l.ok ? { ok: true, body: comparable(l.body) } : l);
    }
  });

  test('DescribeOrganizationalUnit of every OU', async () => {
    for (const ou of OUS) {
      const { moto: m, local: l } = await both('DescribeOrganizationalUnit', { OrganizationalUnitId: ou.id });
      expect(l.ok && (l.body.OrganizationalUnit as { Path: string }).Path).toMatch(new RegExp(`^${LOCAL_ORG}/${LOCAL_ROOT}/.*${ou.id}/$`));
      expect(m).toEqual(l.ok ? { ok: true, body: comparable(l.body) } : l);
    }
  });

  test('ListChildren of every parent, both child types', async () => {
    for (const ParentId of PARENTS) {
      for (const ChildType of ['ACCOUNT', 'ORGANIZATIONAL_UNIT']) {
        const { moto: m, local: l } = await both('ListChildren', { ParentId, ChildType });
        expect([ParentId, ChildType, m]).toEqual([ParentId, ChildType, l]);
      }
    }
  });

  test('ListAccountsForParent and ListOrganizationalUnitsForParent of every parent', async () => {
    for (const ParentId of PARENTS) {
      for (const op of ['ListAccountsForParent', 'ListOrganizationalUnitsForParent']) {
        const { moto: m, local: l } = await both(op, { ParentId });
        expect([op, ParentId, m]).toEqual([op, ParentId, l.ok ? { ok: true, body: comparable(l.body) } : l]);
      }
    }
  });

  test('ListParents of every account and OU', async () => {
    for (const ChildId of [...ALL_ACCOUNTS, ...OUS.map((o) => o.id)]) {
      const { moto: m, local: l } = await both('ListParents', { ChildId });
      expect([ChildId, m]).toEqual([ChildId, l]);
    }
  });

  test('ListAccounts: the same accounts in the same order (all pages)', async () => {
    const [m, l] = await Promise.all([allPages(motoSdk(), 'ListAccounts', {}, 'Accounts'), allPages(localSdk(), 'ListAccounts', {}, 'Accounts')]);
    expect(normalize(m.items, motoToLocal)).toEqual(comparable(l.items));
    expect((l.items as Array<{ Id: string }>).map((a) => a.Id)).toEqual(ALL_ACCOUNTS);
    // DIFFERENCES.listAccountsDefault: 22 accounts are one page in moto, 20 + 2 locally
    expect(m.pageSizes).toEqual([22]);
    expect(l.pageSizes).toEqual([20, 2]);
  });
});

describe('pagination', () => {
  test.each([
    ['ListAccounts', {}, 'Accounts'],
    ['ListAccountsForParent', { ParentId: 'ou-lo12-bulk0001' }, 'Accounts'],
    ['ListAccountsForParent', { ParentId: 'ou-lo12-dev00001' }, 'Accounts'],
    ['ListOrganizationalUnitsForParent', { ParentId: LOCAL_ROOT }, 'OrganizationalUnits'],
  ])('%s %j with MaxResults 2 and 5: the same pages, a NextToken on the same pages', async (op, input, key) => {
    for (const MaxResults of [2, 5]) {
      let motoToken: string | undefined;
      let localToken: string | undefined;
      for (let page = 0; page === 0 || localToken !== undefined; page++) {
        const [m, l] = await Promise.all([
          motoSdk()<Record<string, unknown>>(op, toMoto({ ...input, MaxResults, ...(motoToken ? { NextToken: motoToken } : {}) })),
          localSdk()<Record<string, unknown>>(op, { ...input, MaxResults, ...(localToken ? { NextToken: localToken } : {}) }),
        ]);
        expect([page, normalize(m[key], motoToLocal)]).toEqual([page, comparable(l[key])]);
        motoToken = typeof m.NextToken === 'string' ? m.NextToken : undefined;
        localToken = l.NextToken as string | undefined;
        expect([page, typeof motoToken]).toEqual([page, typeof localToken]);
      }
    }
  });

  test('ListChildren, ListParents, ListRoots: moto does not page them, the local endpoint does; the items are the same', async () => {
    // DIFFERENCES.unpaginated
    const input = { ParentId: 'ou-lo12-bulk0001', ChildType: 'ACCOUNT', MaxResults: 5 };
    const motoPage = await motoSdk()<{ Children: unknown[]; NextToken?: unknown }>('ListChildren', toMoto(input));
    expect(motoPage.Children).toHaveLength(14);
    expect(motoPage).not.toHaveProperty('NextToken');
    const localPages = await allPages(localSdk(), 'ListChildren', input, 'Children');
    expect(localPages.pageSizes).toEqual([5, 5, 4]);
    expect(normalize(motoPage.Children, motoToLocal)).toEqual(localPages.items);
    const roots = await localSdk()('ListRoots', { MaxResults: 1 });
    expect(roots).not.toHaveProperty('NextToken');
  });
});

describe('the bad cases', () => {
  test.each([
    ['an unknown account', 'DescribeAccount', { AccountId: '999999999999' }, 'AccountNotFoundException'],
    ['an unknown OU', 'DescribeOrganizationalUnit', { OrganizationalUnitId: 'ou-lo12-zzzzzzzz' }, 'OrganizationalUnitNotFoundException'],
    ['ListChildren of an unknown OU', 'ListChildren', { ParentId: 'ou-lo12-zzzzzzzz', ChildType: 'ACCOUNT' }, 'ParentNotFoundException'],
    ['ListChildren of an unknown root', 'ListChildren', { ParentId: 'r-zz99', ChildType: 'ORGANIZATIONAL_UNIT' }, 'ParentNotFoundException'],
    ['ListAccountsForParent of an unknown parent', 'ListAccountsForParent', { ParentId: 'ou-lo12-zzzzzzzz' }, 'ParentNotFoundException'],
    ['ListOrganizationalUnitsForParent of an unknown parent', 'ListOrganizationalUnitsForParent', { ParentId: 'ou-lo12-zzzzzzzz' }, 'ParentNotFoundException'],
  ])('the same error: %s', async (_, op, input, type) => {
    const { moto: m, local: l } = await both(op, input);
    expect(m).toEqual({ ok: false, type, status: 400, reason: undefined });
    expect(l).toEqual({ ok: false, type, status: 404, reason: undefined }); // DIFFERENCES.httpStatus
  });

  test.each([
    // [case, operation, input, moto's answer, the local (model's) answer, the difference]
    ['a malformed account id', 'DescribeAccount', { AccountId: 'abc' }, 'AccountNotFoundException', 'InvalidInputException INVALID_PATTERN', 'noInputValidation'],
    ['an account id of 13 digits', 'DescribeAccount', { AccountId: '1234567890123' }, 'AccountNotFoundException', 'InvalidInputException MAX_LENGTH_EXCEEDED', 'noInputValidation'],
    ['a malformed parent id', 'ListChildren', { ParentId: 'bogus', ChildType: 'ACCOUNT' }, 'ParentNotFoundException', 'InvalidInputException INVALID_PATTERN', 'noInputValidation'],
    ['an account id as parent', 'ListAccountsForParent', { ParentId: MGMT }, 'ParentNotFoundException', 'InvalidInputException INVALID_PATTERN', 'noInputValidation'],
    ['no ParentId', 'ListAccountsForParent', {}, 'ParentNotFoundException', 'InvalidInputException INPUT_REQUIRED', 'noInputValidation'],
    ['the root as OU id (moto describes its root as an OU)', 'DescribeOrganizationalUnit', { OrganizationalUnitId: LOCAL_ROOT }, 'ok', 'InvalidInputException INVALID_PATTERN', 'noInputValidation'],
    ['MaxResults 0', 'ListAccounts', { MaxResults: 0 }, 'ok', 'InvalidInputException MIN_VALUE_EXCEEDED', 'noInputValidation'],
    ['MaxResults 25', 'ListOrganizationalUnitsForParent', { ParentId: LOCAL_ROOT, MaxResults: 25 }, 'ok', 'InvalidInputException MAX_VALUE_EXCEEDED', 'noInputValidation'],
    ['a bad ChildType', 'ListChildren', { ParentId: LOCAL_ROOT, ChildType: 'ROOT' }, 'InvalidInputException', 'InvalidInputException INVALID_ENUM', 'reason'],
    ['ListParents of an unknown account', 'ListParents', { ChildId: '999999999999' }, 'AccountNotFoundException', 'ChildNotFoundException', 'listParentsNotFound'],
    ['ListParents of an unknown OU', 'ListParents', { ChildId: 'ou-lo12-zzzzzzzz' }, 'OrganizationalUnitNotFoundException', 'ChildNotFoundException', 'listParentsNotFound'],
    ['a NextToken that is no token', 'ListAccounts', { NextToken: 'garbage' }, 'InvalidToken', 'InvalidInputException INVALID_NEXT_TOKEN', 'invalidToken'],
  ] as const)('moto differs from the model: %s', async (_, op, input, motoAnswer, localAnswer, difference) => {
    expect(DIFFERENCES[difference]).toBeDefined();
    const { moto: m, local: l } = await both(op, input);
    const show = (o: Outcome) => (o.ok ? 'ok' : [o.type, o.reason].filter(Boolean).join(' '));
    expect({ moto: show(m), local: show(l) }).toEqual({ moto: motoAnswer, local: localAnswer });
  });

  test('member accounts: both let any member call DescribeOrganization; the rest differs (DIFFERENCES.memberAccess)', async () => {
    const member = '222222222222';
    const motoMember = [...motoToLocal].find(([, l]) => l === member)![0];
    const describe = await Promise.all([call(motoSdk(motoMember), 'DescribeOrganization', {}), call(localSdk(member), 'DescribeOrganization', {})]);
    expect(normalize(describe[0], motoToLocal)).toMatchObject({ ok: true, body: { Organization: { Id: LOCAL_ORG, MasterAccountId: MGMT } } });
    expect(describe[1]).toMatchObject({ ok: true, body: { Organization: { Id: LOCAL_ORG, MasterAccountId: MGMT } } });
    const roots = await call(motoSdk(motoMember), 'ListRoots', {});
    expect(normalize(roots, motoToLocal)).toMatchObject({ ok: true, body: { Roots: [{ Id: LOCAL_ROOT }] } });
    expect(await call(localSdk(member), 'ListRoots', {})).toEqual({ ok: false, type: 'AccessDeniedException', status: 403, reason: undefined });
    const accounts = await call(motoSdk(motoMember), 'ListAccounts', {});
    expect(accounts).toEqual({ ok: true, body: { Accounts: [] } });
    expect(await call(localSdk(member), 'ListAccounts', {})).toMatchObject({ ok: false, type: 'AccessDeniedException' });
    // an account outside any organization: both AWSOrganizationsNotInUseException (moto with 400, DIFFERENCES.httpStatus)
    expect(await call(motoSdk('999999999999'), 'DescribeOrganization', {})).toEqual({ ok: false, type: 'AWSOrganizationsNotInUseException', status: 400, reason: undefined });
    expect(await call(localSdk('999999999999'), 'DescribeOrganization', {})).toEqual({ ok: false, type: 'AWSOrganizationsNotInUseException', status: 404, reason: undefined });
  });

  test('the wire: content types of successful answers (DIFFERENCES.contentType); both send __type and Message on errors', async () => {
    const [m, l] = await Promise.all([motoClient().raw('ListRoots', '{}'), localClient().raw('ListRoots', '{}')]);
    expect(m.headers['content-type']).toMatch(/^text\/html/);
    expect(l.headers['content-type']).toBe('application/x-amz-json-1.1');
    const [me, le] = await Promise.all([motoClient().raw('DescribeAccount', '{"AccountId":"999999999999"}'), localClient().raw('DescribeAccount', '{"AccountId":"999999999999"}')]);
    expect(Object.keys(JSON.parse(me.body)).sort()).toEqual(['Message', '__type']);
    expect(Object.keys(JSON.parse(le.body)).sort()).toEqual(['Message', '__type']);
    expect([me.headers['x-amzn-errortype'], le.headers['x-amzn-errortype']]).toEqual(['AccountNotFoundException', 'AccountNotFoundException']);
    expect(DIFFERENCES.messages).toMatch(/__type/);
    // DIFFERENCES.nullNextToken (the SDK reads both as undefined)
    const [ml, ll] = await Promise.all([motoClient().raw('ListAccounts', '{}'), localClient().raw('ListAccounts', '{"MaxResults":20}')]);
    expect(JSON.parse(ml.body).NextToken).toBeNull();
    const localLast = await localClient().raw('ListAccountsForParent', `{"ParentId":"${LOCAL_ROOT}"}`);
    expect(JSON.parse(localLast.body)).not.toHaveProperty('NextToken');
    expect(JSON.parse(ll.body).NextToken).toEqual(expect.any(String)); // 22 accounts: a second page
  });
});
