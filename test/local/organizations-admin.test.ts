import { readFileSync } from 'fs';
import * as path from 'path';
import { credentialsForAccount } from '../../local/local-credentials';
import { LocalOrganizationsClient, OrganizationChange, OrganizationDocument } from '../../local/organizations';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';

const EXAMPLE: OrganizationDocument = JSON.parse(readFileSync(path.join(__dirname, '../../local/organizations/example-organization.json'), 'utf8'));
const MGMT = '111111111111';
const ROOT = 'r-ex12';
const OU = { workloads: 'ou-ex12-workload', prod: 'ou-ex12-prod0001', payments: 'ou-ex12-payments', dev: 'ou-ex12-dev00001', security: 'ou-ex12-security' };
const NEW = '123412341234';

let proton: LocalProton;
let org: LocalOrganizationsClient;

beforeAll(async () => {
  proton = await startLocalProton({ organization: EXAMPLE });
  org = new LocalOrganizationsClient({ endpoint: proton.url, credentials: credentialsForAccount(MGMT) });
});
afterEach(() => proton.admin.reset());
afterAll(() => proton.close());

const ids = (items: unknown) => (items as Array<{ Id: string }>).map((i) => i.Id);
const accountsIn = async (ParentId: string) => ids((await org.paginate('ListAccountsForParent', { ParentId }, 'Accounts')).items);
const parentOf = async (ChildId: string) => (await org.send<{ Parents: Array<{ Id: string }> }>('ListParents', { ChildId })).Parents[0].Id;
const admin = () => proton.admin.organizations;

async function adminHttp(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${proton.url}/_local/organizations${route}`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('admin changes are reflected in the answers', () => {
  test('an account joins an OU: listed under it, in ListAccounts, describable, with its path', async () => {
    const joined = admin().addAccount({ id: NEW, parent: OU.payments, name: 'payments-dev', joinedTimestamp: '2026-03-01T12:00:00Z' });
    expect(joined).toEqual({
      id: NEW,
      name: 'payments-dev',
      email: 'payments-dev@example.com',
      status: 'ACTIVE',
      parent: OU.payments,
      joinedMethod: 'CREATED',
      joinedTimestamp: '2026-03-01T12:00:00.000Z',
    });
    expect(await accountsIn(OU.payments)).toEqual(['444444444444', NEW]);
    expect(ids((await org.send<{ Accounts: unknown[] }>('ListAccounts')).Accounts).pop()).toBe(NEW);
    expect((await org.send<{ Account: Record<string, unknown> }>('DescribeAccount', { AccountId: NEW })).Account).toMatchObject({
      Paths: [`o-exampleorg1/${ROOT}/${OU.workloads}/${OU.prod}/${OU.payments}/${NEW}/`], JoinedTimestamp: Date.parse('2026-03-01T12:00:00Z') / 1000,
    });
  });

  test('an account moves between OUs: ListChildren, ListAccountsForParent and ListParents follow', async () => {
    admin().moveAccount('222222222222', OU.prod);
    expect(await accountsIn(OU.dev)).toEqual(['555555555555']);
    expect(await accountsIn(OU.prod)).toEqual(['222222222222', '333333333333']); // creation order, not arrival order
    expect(await parentOf('222222222222')).toBe(OU.prod);
    const children = await org.send<{ Children: unknown[] }>('ListChildren', { ParentId: OU.prod, ChildType: 'ACCOUNT' });
    expect(ids(children.Children)).toEqual(['222222222222', '333333333333']);
    admin().moveAccount('222222222222', ROOT);
    expect(await parentOf('222222222222')).toBe(ROOT);
  });

  test('an account is suspended, then closed and reinstated: Status and State follow; it stays listed', async () => {
    admin().setAccountStatus('333333333333', 'PENDING_CLOSURE');
    expect((await org.send<{ Account: Record<string, unknown> }>('DescribeAccount', { AccountId: '333333333333' })).Account).toMatchObject({ Status: 'PENDING_CLOSURE', State: 'PENDING_CLOSURE' });
    admin().setAccountStatus('333333333333', 'SUSPENDED');
    expect((await org.send<{ Accounts: Array<{ Id: string; Status: string }> }>('ListAccountsForParent', { ParentId: OU.prod })).Accounts[0]).toMatchObject({ Id: '333333333333', Status: 'SUSPENDED' });
    admin().setAccountStatus('333333333333', 'ACTIVE');
    expect((await org.send<{ Account: Record<string, unknown> }>('DescribeAccount', { AccountId: '333333333333' })).Account.Status).toBe('ACTIVE');
  });

  test('an account leaves: gone from every answer; it may join again', async () => {
    admin().removeAccount('444444444444');
    expect(await accountsIn(OU.payments)).toEqual([]);
    expect(ids((await org.send<{ Accounts: unknown[] }>('ListAccounts')).Accounts)).not.toContain('444444444444');
    await expect(org.send('DescribeAccount', { AccountId: '444444444444' })).rejects.toMatchObject({ name: 'AccountNotFoundException' });
    await expect(org.send('ListParents', { ChildId: '444444444444' })).rejects.toMatchObject({ name: 'ChildNotFoundException' });
    admin().addAccount({ id: '444444444444', parent: OU.dev, joinedMethod: 'INVITED' });
    expect(await accountsIn(OU.dev)).toEqual(['222222222222', '555555555555', '444444444444']);
  });

  test('an OU is added (id generated or given), nested, and accounts join it', async () => {
    const team = admin().addOrganizationalUnit({ name: 'Team', parent: OU.payments });
    expect(team.id).toMatch(/^ou-ex12-[a-z0-9]{8}$/);
    const sub = admin().addOrganizationalUnit({ id: 'ou-ex12-subteam1', name: 'Sub', parent: team.id });
    admin().addAccount({ id: NEW, parent: sub.id });
    expect(ids((await org.send<{ OrganizationalUnits: unknown[] }>('ListOrganizationalUnitsForParent', { ParentId: OU.payments })).OrganizationalUnits)).toEqual([team.id]);
    expect((await org.send<{ OrganizationalUnit: { Path: string } }>('DescribeOrganizationalUnit', { OrganizationalUnitId: sub.id })).OrganizationalUnit.Path)
      .toBe(`o-exampleorg1/${ROOT}/${OU.workloads}/${OU.prod}/${OU.payments}/${team.id}/ou-ex12-subteam1/`);
    expect(await parentOf(NEW)).toBe(sub.id);
    expect(await parentOf(sub.id)).toBe(team.id);
  });

  test('organization() is the current tree as a document; it can be loaded again', async () => {
    admin().addAccount({ id: NEW, parent: OU.security });
    const snapshot = admin().organization();
    expect(snapshot.accounts.map((a) => a.id)).toContain(NEW);
    admin().load(undefined);
    expect(admin().enabled()).toBe(false);
    await expect(org.send('ListRoots')).rejects.toMatchObject({ name: 'AWSOrganizationsNotInUseException' });
    admin().load(snapshot);
    expect(await accountsIn(OU.security)).toEqual(['666666666666', '888888888888', NEW]);
    expect(admin().organization()).toEqual(snapshot);
    admin().reset(); // the startup organization, not the loaded one
    expect(await accountsIn(OU.security)).toEqual(['666666666666', '888888888888']);
  });

  test('reset() (the endpoint\'s and the organization\'s) restores the startup organization', async () => {
    const startup = admin().organization();
    admin().removeAccount('222222222222');
    admin().addOrganizationalUnit({ name: 'Temp', parent: ROOT });
    proton.admin.reset();
    expect(admin().organization()).toEqual(startup);
    expect(await accountsIn(OU.dev)).toEqual(['222222222222', '555555555555']);
    expect(admin().changes()).toEqual([]);
    admin().moveAccount('222222222222', ROOT);
    admin().reset();
    expect(await parentOf('222222222222')).toBe(OU.dev);
  });

  test.each([
    ['addAccount of an account already in the organization', () => admin().addAccount({ id: '222222222222', parent: ROOT }), /addAccount: account 222222222222 is already in the organization \(under ou-ex12-dev00001\); use moveAccount/],
    ['addAccount under an unknown parent', () => admin().addAccount({ id: NEW, parent: 'ou-ex12-nothere0' }), /addAccount: parent "ou-ex12-nothere0" names neither the root \(r-ex12\) nor an organizational unit/],
    ['addAccount with a bad id', () => admin().addAccount({ id: '12', parent: ROOT }), /addAccount: id "12" is not an account id/],
    ['addAccount with a bad status', () => admin().addAccount({ id: NEW, parent: ROOT, status: 'GONE' as never }), /addAccount: status must be one of ACTIVE, SUSPENDED, PENDING_CLOSURE/],
    ['moveAccount of an unknown account', () => admin().moveAccount(NEW, ROOT), /moveAccount: "123412341234" is not an account of the organization/],
    ['moveAccount to where it is', () => admin().moveAccount('222222222222', OU.dev), /moveAccount: account 222222222222 is already in ou-ex12-dev00001/],
    ['moveAccount to an account', () => admin().moveAccount('222222222222', MGMT), /moveAccount: parent "111111111111" names neither/],
    ['suspending the management account', () => admin().setAccountStatus(MGMT, 'SUSPENDED'), /the management account cannot be closed/],
    ['removing the management account', () => admin().removeAccount(MGMT), /the management account cannot leave the organization/],
    ['an OU of another root', () => admin().addOrganizationalUnit({ id: 'ou-zz99-abcdefgh', name: 'X', parent: ROOT }), /is not in root r-ex12/],
    ['an OU name taken among siblings', () => admin().addOrganizationalUnit({ name: 'Prod', parent: OU.workloads }), /ou-ex12-workload already has an OU named "Prod"/],
    ['a sixth level of OUs', () => {
      let parent = OU.payments; // level 3
      for (const name of ['L4', 'L5', 'L6']) parent = admin().addOrganizationalUnit({ name, parent }).id;
    }, /the OU would be 6 levels deep; Organizations allows at most 5/],
  ])('refused: %s', (_, change, message) => {
    expect(change).toThrow(message);
  });

  test('without an organization the admin changes are refused with advice', async () => {
    const bare = await startLocalProton();
    try {
      expect(bare.admin.organizations.enabled()).toBe(false);
      expect(() => bare.admin.organizations.addAccount({ id: NEW, parent: ROOT })).toThrow(/the endpoint serves no organization \(start it with the organization option or --organization <file.json>, or load one\)/);
      expect(() => bare.admin.organizations.organization()).toThrow(/serves no organization/);
    } finally {
      await bare.close();
    }
  });
});

describe('changes and their events', () => {
  test('each change is recorded once, subscribers get it as it happens', () => {
    const seen: OrganizationChange[] = [];
    const unsubscribe = admin().subscribe((c) => seen.push(c));
    admin().addAccount({ id: NEW, parent: OU.prod });
    admin().moveAccount(NEW, OU.payments);
    admin().setAccountStatus(NEW, 'SUSPENDED');
    admin().setAccountStatus(NEW, 'SUSPENDED'); // no change, no record
    admin().removeAccount(NEW, 'left');
    admin().addOrganizationalUnit({ id: 'ou-ex12-newteam1', name: 'New', parent: ROOT });
    unsubscribe();
    admin().addAccount({ id: NEW, parent: ROOT });
    const strip = (changes: OrganizationChange[]) => changes.map(({ at, ...rest }) => rest);
    const expected = [
      { kind: 'AccountJoined', accountId: NEW, parent: OU.prod, rootId: ROOT, joinedMethod: 'CREATED', status: 'ACTIVE' },
      { kind: 'AccountMoved', accountId: NEW, from: OU.prod, to: OU.payments },
      { kind: 'AccountStatusChanged', accountId: NEW, from: 'ACTIVE', to: 'SUSPENDED' },
      { kind: 'AccountRemoved', accountId: NEW, parent: OU.payments, how: 'left' },
      { kind: 'OrganizationalUnitCreated', organizationalUnitId: 'ou-ex12-newteam1', name: 'New', parent: ROOT },
    ];
    expect(strip(seen)).toEqual(expected);
    expect(strip(admin().changes())).toEqual([...expected, { kind: 'AccountJoined', accountId: NEW, parent: ROOT, rootId: ROOT, joinedMethod: 'CREATED', status: 'ACTIVE' }]);
    expect(strip(admin().changes({ kind: 'AccountMoved' }))).toEqual([expected[1]]);
    expect(admin().changes({ accountId: '222222222222' })).toEqual([]);
  });

  test('the EventBridge events: CloudTrail records of aws.organizations in us-east-1', () => {
    admin().addAccount({ id: NEW, parent: OU.prod });
    admin().addAccount({ id: '432143214321', parent: ROOT, joinedMethod: 'INVITED' });
    admin().moveAccount(NEW, OU.dev);
    admin().setAccountStatus(NEW, 'PENDING_CLOSURE');
    admin().setAccountStatus(NEW, 'SUSPENDED');
    admin().removeAccount(NEW);
    admin().removeAccount('432143214321', 'left');
    admin().addOrganizationalUnit({ id: 'ou-ex12-newteam1', name: 'New', parent: OU.security });
    const events = admin().events();
    expect(events.map((e) => [e['detail-type'], e.detail.eventName, e.account, e.detail.requestParameters])).toEqual([
      ['AWS Service Event via CloudTrail', 'CreateAccountResult', MGMT, undefined],
      ['AWS API Call via CloudTrail', 'MoveAccount', MGMT, { accountId: NEW, sourceParentId: ROOT, destinationParentId: OU.prod }],
      ['AWS API Call via CloudTrail', 'AcceptHandshake', '432143214321', { handshakeId: expect.stringMatching(/^h-[a-z0-9]{10}$/) }],
      ['AWS API Call via CloudTrail', 'MoveAccount', MGMT, { accountId: NEW, sourceParentId: OU.prod, destinationParentId: OU.dev }],
      ['AWS API Call via CloudTrail', 'CloseAccount', MGMT, { accountId: NEW }],
      ['AWS API Call via CloudTrail', 'RemoveAccountFromOrganization', MGMT, { accountId: NEW }],
      ['AWS API Call via CloudTrail', 'LeaveOrganization', '432143214321', undefined],
      ['AWS API Call via CloudTrail', 'CreateOrganizationalUnit', MGMT, { parentId: OU.security, name: 'New' }],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ version: '0', source: 'aws.organizations', region: 'us-east-1', detail: { eventSource: 'organizations.amazonaws.com', awsRegion: 'us-east-1' } });
      expect(e.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    expect(events[0].detail.serviceEventDetails).toEqual({
      createAccountStatus: expect.objectContaining({ state: 'SUCCEEDED', accountId: NEW, id: expect.stringMatching(/^car-[a-z0-9]{8}$/) }),
    });
    expect(admin().events({ accountId: NEW }).map((e) => e.detail.eventName)).toEqual(['CreateAccountResult', 'MoveAccount', 'MoveAccount', 'CloseAccount', 'RemoveAccountFromOrganization']);
  });

  test('the Proton event log is not touched', () => {
    admin().addAccount({ id: NEW, parent: OU.prod });
    expect(proton.admin.events()).toEqual([]);
  });
});

describe('the HTTP admin under /_local/organizations', () => {
  test('the changes over HTTP, reflected in the answers', async () => {
    expect((await adminHttp('POST', '/accounts', { id: NEW, parent: OU.dev })).body).toMatchObject({ id: NEW, parent: OU.dev, status: 'ACTIVE' });
    expect((await adminHttp('POST', '/move-account', { accountId: NEW, destinationParentId: OU.prod })).body).toMatchObject({ parent: OU.prod });
    expect((await adminHttp('POST', '/account-status', { accountId: NEW, status: 'SUSPENDED' })).body).toMatchObject({ status: 'SUSPENDED' });
    const ou = await adminHttp('POST', '/organizational-units', { name: 'Http', parent: ROOT });
    expect(ou).toMatchObject({ status: 200, body: { name: 'Http', parent: ROOT } });
    expect(await accountsIn(OU.prod)).toEqual(['333333333333', NEW]);
    expect((await adminHttp('POST', '/remove-account', { accountId: NEW })).status).toBe(200);
    expect(await accountsIn(OU.prod)).toEqual(['333333333333']);

    const state = await adminHttp('GET', '');
    expect(state.body.organizationalUnits.map((o: { name: string }) => o.name)).toContain('Http');
    expect((await adminHttp('GET', '/changes?kind=AccountMoved')).body.changes).toHaveLength(1);
    expect((await adminHttp('GET', `/events?accountId=${NEW}`)).body.events.map((e: any) => e.detail.eventName))
      .toEqual(['CreateAccountResult', 'MoveAccount', 'MoveAccount', 'CloseAccount', 'RemoveAccountFromOrganization']); // joined in the root, moved to Dev, then to Prod
    expect((await adminHttp('GET', '/calls')).body.calls.byOperation).toEqual({ ListAccountsForParent: 2 });
    expect((await adminHttp('POST', '/reset')).body).toEqual({ ok: true });
    expect((await adminHttp('GET', '')).body).toEqual(admin().organization());
    expect(admin().changes()).toEqual([]);
  });

  test('load over HTTP: another organization, or none', async () => {
    const other = await adminHttp('POST', '/load', { managementAccountId: '999999999999', accounts: [] });
    expect(other.body).toMatchObject({ enabled: true, organization: { managementAccountId: '999999999999' } });
    await expect(org.send('ListRoots')).rejects.toMatchObject({ name: 'AWSOrganizationsNotInUseException' });
    expect((await adminHttp('POST', '/load')).body).toEqual({ enabled: false, organization: null });
    expect((await adminHttp('GET', '')).body.error).toMatch(/serves no organization/);
    proton.admin.reset(); // back to the startup organization
    expect((await org.send<{ Roots: Array<{ Id: string }> }>('ListRoots')).Roots[0].Id).toBe(ROOT);
  });

  test('errors: 400 with the reason; unknown route 404; the Proton admin routes are unchanged', async () => {
    expect(await adminHttp('POST', '/move-account', { accountId: NEW })).toEqual({ status: 400, body: { error: '"destinationParentId" is required' } });
    expect(await adminHttp('POST', '/accounts', { id: '222222222222', parent: ROOT })).toEqual({ status: 400, body: { error: expect.stringMatching(/already in the organization/) } });
    expect(await adminHttp('POST', '/load', { managementAccountId: 'x', accounts: [] })).toEqual({ status: 400, body: { error: expect.stringMatching(/^invalid organization document:\n {2}- managementAccountId/) } });
    expect(await adminHttp('POST', '/accounts', [1])).toEqual({ status: 400, body: { error: 'the request body must be a JSON object' } });
    expect(await adminHttp('GET', '/nope')).toEqual({ status: 404, body: { error: 'no admin route GET /_local/organizations/nope' } });
    const health = await fetch(`${proton.url}/_local/health`);
    expect(await health.json()).toEqual({ ok: true });
  });
});
