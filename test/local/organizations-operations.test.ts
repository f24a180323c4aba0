import { readFileSync } from 'fs';
import * as path from 'path';
import { credentialsForAccount } from '../../local/local-credentials';
import { LocalOrganizationsClient, OrganizationsCallError, OrganizationDocument } from '../../local/organizations';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';

const EXAMPLE: OrganizationDocument = JSON.parse(readFileSync(path.join(__dirname, '../../local/organizations/example-organization.json'), 'utf8'));
const MGMT = '111111111111';
const ORG = 'o-exampleorg1';
const ROOT = 'r-ex12';
const OU = { workloads: 'ou-ex12-workload', prod: 'ou-ex12-prod0001', payments: 'ou-ex12-payments', dev: 'ou-ex12-dev00001', security: 'ou-ex12-security' };

let proton: LocalProton;
let org: LocalOrganizationsClient;

beforeAll(async () => {
  proton = await startLocalProton({ organization: EXAMPLE });
  org = new LocalOrganizationsClient({ endpoint: proton.url, credentials: credentialsForAccount(MGMT) });
});
afterEach(() => proton.admin.reset());
afterAll(() => proton.close());

async function failure(promise: Promise<unknown>): Promise<OrganizationsCallError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(OrganizationsCallError);
    return err as OrganizationsCallError;
  }
  throw new Error('expected the call to fail');
}

const ids = (items: unknown) => (items as Array<{ Id: string }>).map((i) => i.Id);

describe('the read operations', () => {
  test('ListRoots: the root, its ARN and no enabled policy types', async () => {
    expect(await org.send('ListRoots')).toEqual({
      Roots: [{ Id: ROOT, Arn: `arn:aws:organizations::${MGMT}:root/${ORG}/${ROOT}`, Name: 'Root', PolicyTypes: [] }],
    });
  });

  test('DescribeOrganization: the organization and its management account', async () => {
    expect(await org.send('DescribeOrganization')).toEqual({
      Organization: {
        Id: ORG,
        Arn: `arn:aws:organizations::${MGMT}:organization/${ORG}`,
        FeatureSet: 'ALL',
        MasterAccountArn: `arn:aws:organizations::${MGMT}:account/${ORG}/${MGMT}`,
        MasterAccountId: MGMT,
        MasterAccountEmail: 'management@example.com',
        AvailablePolicyTypes: [],
      },
    });
  });

  test('DescribeAccount: an account three OUs deep, with its path; epoch-second timestamps; Status and State', async () => {
    expect(await org.send('DescribeAccount', { AccountId: '444444444444' })).toEqual({
      Account: {
        Id: '444444444444',
        Arn: `arn:aws:organizations::${MGMT}:account/${ORG}/444444444444`,
        Email: 'payments-prod@example.com',
        Name: 'payments-prod',
        Status: 'ACTIVE',
        State: 'ACTIVE',
        Paths: [`${ORG}/${ROOT}/${OU.workloads}/${OU.prod}/${OU.payments}/444444444444/`],
        JoinedMethod: 'CREATED',
        JoinedTimestamp: Date.parse('2024-04-01T00:00:00Z') / 1000,
      },
    });
    const sandbox = await org.send<{ Account: Record<string, unknown> }>('DescribeAccount', { AccountId: '777777777777' });
    expect(sandbox.Account).toMatchObject({ Status: 'SUSPENDED', State: 'SUSPENDED', Paths: [`${ORG}/${ROOT}/777777777777/`] });
    const invited = await org.send<{ Account: Record<string, unknown> }>('DescribeAccount', { AccountId: '555555555555' });
    expect(invited.Account.JoinedMethod).toBe('INVITED');
  });

  test('DescribeOrganizationalUnit: ARN and path of a nested OU', async () => {
    expect(await org.send('DescribeOrganizationalUnit', { OrganizationalUnitId: OU.payments })).toEqual({
      OrganizationalUnit: {
        Id: OU.payments,
        Arn: `arn:aws:organizations::${MGMT}:ou/${ORG}/${OU.payments}`,
        Name: 'Payments',
        Path: `${ORG}/${ROOT}/${OU.workloads}/${OU.prod}/${OU.payments}/`,
      },
    });
  });

  test('ListChildren: OUs and accounts at every level, in creation order', async () => {
    const children = async (ParentId: string, ChildType: string) => (await org.send<{ Children: Array<{ Id: string; Type: string }> }>('ListChildren', { ParentId, ChildType })).Children;
    expect(await children(ROOT, 'ORGANIZATIONAL_UNIT')).toEqual([{ Id: OU.workloads, Type: 'ORGANIZATIONAL_UNIT' }, { Id: OU.security, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect(await children(ROOT, 'ACCOUNT')).toEqual([{ Id: MGMT, Type: 'ACCOUNT' }, { Id: '777777777777', Type: 'ACCOUNT' }]);
    expect(ids(await children(OU.workloads, 'ORGANIZATIONAL_UNIT'))).toEqual([OU.prod, OU.dev]);
    expect(await children(OU.workloads, 'ACCOUNT')).toEqual([]);
    expect(ids(await children(OU.prod, 'ORGANIZATIONAL_UNIT'))).toEqual([OU.payments]);
    expect(ids(await children(OU.prod, 'ACCOUNT'))).toEqual(['333333333333']);
    expect(ids(await children(OU.payments, 'ACCOUNT'))).toEqual(['444444444444']);
    expect(await children(OU.payments, 'ORGANIZATIONAL_UNIT')).toEqual([]);
  });

  test('ListAccountsForParent and ListOrganizationalUnitsForParent: only the direct children, full shapes', async () => {
    const dev = await org.send<{ Accounts: Array<Record<string, unknown>>; NextToken?: string }>('ListAccountsForParent', { ParentId: OU.dev });
    expect(ids(dev.Accounts)).toEqual(['222222222222', '555555555555']);
    expect(dev).not.toHaveProperty('NextToken');
    expect(dev.Accounts[1]).toMatchObject({ Name: 'dev2', JoinedMethod: 'INVITED', Paths: [`${ORG}/${ROOT}/${OU.workloads}/${OU.dev}/555555555555/`] });
    expect(ids((await org.send<{ Accounts: unknown[] }>('ListAccountsForParent', { ParentId: OU.workloads })).Accounts)).toEqual([]);
    const ous = await org.send<{ OrganizationalUnits: unknown[] }>('ListOrganizationalUnitsForParent', { ParentId: OU.workloads });
    expect(ous.OrganizationalUnits).toEqual([
      { Id: OU.prod, Arn: `arn:aws:organizations::${MGMT}:ou/${ORG}/${OU.prod}`, Name: 'Prod', Path: `${ORG}/${ROOT}/${OU.workloads}/${OU.prod}/` },
      { Id: OU.dev, Arn: `arn:aws:organizations::${MGMT}:ou/${ORG}/${OU.dev}`, Name: 'Dev', Path: `${ORG}/${ROOT}/${OU.workloads}/${OU.dev}/` },
    ]);
  });

  test('ListParents: an account, a nested OU and a top-level OU', async () => {
    expect(await org.send('ListParents', { ChildId: '444444444444' })).toEqual({ Parents: [{ Id: OU.payments, Type: 'ORGANIZATIONAL_UNIT' }] });
    expect(await org.send('ListParents', { ChildId: OU.payments })).toEqual({ Parents: [{ Id: OU.prod, Type: 'ORGANIZATIONAL_UNIT' }] });
    expect(await org.send('ListParents', { ChildId: OU.workloads })).toEqual({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
    expect(await org.send('ListParents', { ChildId: MGMT })).toEqual({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
  });

  test('ListAccounts: every account, suspended ones included, in the order they joined', async () => {
    const all = await org.send<{ Accounts: Array<{ Id: string; Status: string }> }>('ListAccounts');
    expect(ids(all.Accounts)).toEqual(['111111111111', '222222222222', '333333333333', '444444444444', '555555555555', '666666666666', '777777777777', '888888888888']);
    expect(all.Accounts.find((a) => a.Id === '777777777777')?.Status).toBe('SUSPENDED');
  });

  test('a sweep of an OU tree three levels deep: every account under Workloads, and the calls it took', async () => {
    proton.admin.organizations.resetCallCounts();
    const found: string[] = [];
    const walk = async (parent: string): Promise<void> => {
      found.push(...ids((await org.paginate('ListAccountsForParent', { ParentId: parent }, 'Accounts')).items));
      for (const ou of (await org.paginate<{ Id: string }>('ListOrganizationalUnitsForParent', { ParentId: parent }, 'OrganizationalUnits')).items) await walk(ou.Id);
    };
    await walk(OU.workloads);
    expect(found.sort()).toEqual(['222222222222', '333333333333', '444444444444', '555555555555']);
    const calls = proton.admin.organizations.callCounts();
    expect(calls.byOperation).toEqual({ ListAccountsForParent: 4, ListOrganizationalUnitsForParent: 4 });
    expect(calls.total).toBe(8);
    expect(calls.byAccount).toEqual({ [MGMT]: { ListAccountsForParent: 4, ListOrganizationalUnitsForParent: 4 } });
  });
});

describe('pagination', () => {
  test('MaxResults pages with NextToken; the pages add up to the unpaginated answer; the last page has no token', async () => {
    const first = await org.send<{ Accounts: unknown[]; NextToken?: string }>('ListAccounts', { MaxResults: 3 });
    expect(ids(first.Accounts)).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(typeof first.NextToken).toBe('string');
    const second = await org.send<{ Accounts: unknown[]; NextToken?: string }>('ListAccounts', { MaxResults: 3, NextToken: first.NextToken });
    expect(ids(second.Accounts)).toEqual(['444444444444', '555555555555', '666666666666']);
    const third = await org.send<{ Accounts: unknown[]; NextToken?: string }>('ListAccounts', { MaxResults: 3, NextToken: second.NextToken });
    expect(ids(third.Accounts)).toEqual(['777777777777', '888888888888']);
    expect(third).not.toHaveProperty('NextToken');
    const paged = await org.paginate('ListAccounts', { MaxResults: 1 }, 'Accounts');
    expect(paged.pages).toBe(8);
    expect(ids(paged.items)).toEqual(ids((await org.send<{ Accounts: unknown[] }>('ListAccounts')).Accounts));
  });

  test('every List* operation takes MaxResults and NextToken (ListChildren, ListParents, ListRoots included)', async () => {
    const children = await org.send<{ Children: unknown[]; NextToken?: string }>('ListChildren', { ParentId: ROOT, ChildType: 'ORGANIZATIONAL_UNIT', MaxResults: 1 });
    expect(ids(children.Children)).toEqual([OU.workloads]);
    const rest = await org.send<{ Children: unknown[]; NextToken?: string }>('ListChildren', { ParentId: ROOT, ChildType: 'ORGANIZATIONAL_UNIT', MaxResults: 1, NextToken: children.NextToken });
    expect(ids(rest.Children)).toEqual([OU.security]);
    expect(rest.NextToken).toBeUndefined();
    expect(await org.send('ListRoots', { MaxResults: 1 })).not.toHaveProperty('NextToken');
    expect(await org.send('ListParents', { ChildId: '222222222222', MaxResults: 1 })).not.toHaveProperty('NextToken');
    const ous = await org.paginate('ListOrganizationalUnitsForParent', { ParentId: ROOT, MaxResults: 1 }, 'OrganizationalUnits');
    expect(ous.pages).toBe(2);
  });

  test('the default page is 20: 25 accounts take two ListAccounts calls', async () => {
    for (let i = 0; i < 17; i++) proton.admin.organizations.addAccount({ id: `9000000000${String(i).padStart(2, '0')}`, parent: OU.dev });
    const first = await org.send<{ Accounts: unknown[]; NextToken?: string }>('ListAccounts');
    expect(first.Accounts).toHaveLength(20);
    const second = await org.send<{ Accounts: unknown[]; NextToken?: string }>('ListAccounts', { NextToken: first.NextToken });
    expect(second.Accounts).toHaveLength(5);
    expect(second.NextToken).toBeUndefined();
    const dev = await org.paginate('ListAccountsForParent', { ParentId: OU.dev }, 'Accounts');
    expect(dev).toMatchObject({ pages: 1 });
    expect(dev.items).toHaveLength(19);
  });

  test('a token is a cursor: an account leaving between two pages does not shift the next page', async () => {
    const first = await org.send<{ Accounts: unknown[]; NextToken?: string }>('ListAccounts', { MaxResults: 2 });
    proton.admin.organizations.removeAccount('222222222222');
    proton.admin.organizations.removeAccount('333333333333');
    const second = await org.send<{ Accounts: unknown[] }>('ListAccounts', { MaxResults: 2, NextToken: first.NextToken });
    expect(ids(second.Accounts)).toEqual(['444444444444', '555555555555']);
  });

  test.each([
    ['garbage', () => Promise.resolve({ op: 'ListAccounts', input: { NextToken: 'not a token!' } })],
    ['base64 that is no token', () => Promise.resolve({ op: 'ListAccounts', input: { NextToken: Buffer.from('{"v":2}').toString('base64') } })],
    ['a token of another operation', async () => ({ op: 'ListAccountsForParent', input: { ParentId: ROOT, NextToken: (await org.send<{ NextToken: string }>('ListAccounts', { MaxResults: 1 })).NextToken } })],
    ['a token of another parent', async () => ({ op: 'ListAccountsForParent', input: { ParentId: OU.dev, NextToken: (await org.send<{ NextToken: string }>('ListAccountsForParent', { ParentId: ROOT, MaxResults: 1 })).NextToken } })],
    ['a token of another child type', async () => ({ op: 'ListChildren', input: { ParentId: ROOT, ChildType: 'ACCOUNT', NextToken: (await org.send<{ NextToken: string }>('ListChildren', { ParentId: ROOT, ChildType: 'ORGANIZATIONAL_UNIT', MaxResults: 1 })).NextToken } })],
  ])('InvalidInputException INVALID_NEXT_TOKEN for %s', async (_, request) => {
    const { op, input } = await request();
    const error = await failure(org.send(op, input));
    expect(error).toMatchObject({ name: 'InvalidInputException', status: 400, reason: 'INVALID_NEXT_TOKEN' });
  });
});

describe('errors of the model', () => {
  test.each([
    ['DescribeAccount', { AccountId: '999999999999' }, 'AccountNotFoundException', 404, undefined],
    ['DescribeAccount', { AccountId: 'abc' }, 'InvalidInputException', 400, 'INVALID_PATTERN'],
    ['DescribeAccount', { AccountId: '1234567890123' }, 'InvalidInputException', 400, 'MAX_LENGTH_EXCEEDED'],
    ['DescribeAccount', {}, 'InvalidInputException', 400, 'INPUT_REQUIRED'],
    ['DescribeOrganizationalUnit', { OrganizationalUnitId: 'ou-ex12-nothere0' }, 'OrganizationalUnitNotFoundException', 404, undefined],
    ['DescribeOrganizationalUnit', { OrganizationalUnitId: ROOT }, 'InvalidInputException', 400, 'INVALID_PATTERN'],
    ['DescribeOrganizationalUnit', { OrganizationalUnitId: `ou-${'a'.repeat(32)}-${'b'.repeat(33)}` }, 'InvalidInputException', 400, 'MAX_LENGTH_EXCEEDED'],
    ['ListChildren', { ParentId: 'ou-ex12-nothere0', ChildType: 'ACCOUNT' }, 'ParentNotFoundException', 404, undefined],
    ['ListChildren', { ParentId: 'r-zz99', ChildType: 'ACCOUNT' }, 'ParentNotFoundException', 404, undefined],
    ['ListChildren', { ParentId: 'bogus', ChildType: 'ACCOUNT' }, 'InvalidInputException', 400, 'INVALID_PATTERN'],
    ['ListChildren', { ParentId: ROOT, ChildType: 'ROOT' }, 'InvalidInputException', 400, 'INVALID_ENUM'],
    ['ListChildren', { ParentId: ROOT }, 'InvalidInputException', 400, 'INPUT_REQUIRED'],
    ['ListChildren', { ParentId: ROOT, ChildType: 'ACCOUNT', MaxResults: 0 }, 'InvalidInputException', 400, 'MIN_VALUE_EXCEEDED'],
    ['ListAccounts', { MaxResults: 21 }, 'InvalidInputException', 400, 'MAX_VALUE_EXCEEDED'],
    ['ListAccountsForParent', { ParentId: MGMT }, 'InvalidInputException', 400, 'INVALID_PATTERN'],
    ['ListAccountsForParent', { ParentId: `r-${'a'.repeat(99)}` }, 'InvalidInputException', 400, 'MAX_LENGTH_EXCEEDED'],
    ['ListOrganizationalUnitsForParent', { ParentId: 'ou-ex12-nothere0' }, 'ParentNotFoundException', 404, undefined],
    ['ListParents', { ChildId: '999999999999' }, 'ChildNotFoundException', 404, undefined],
    ['ListParents', { ChildId: 'ou-ex12-nothere0' }, 'ChildNotFoundException', 404, undefined],
    ['ListParents', { ChildId: ROOT }, 'InvalidInputException', 400, 'INVALID_PATTERN'],
    // The model's patterns are alternations of half-anchored branches: these pass them, then name nothing.
    ['ListParents', { ChildId: '123456789012-and-more' }, 'ChildNotFoundException', 404, undefined],
    ['ListChildren', { ParentId: `${ROOT} and more`, ChildType: 'ACCOUNT' }, 'ParentNotFoundException', 404, undefined],
  ])('%s %j: %s %d %s', async (op, input, name, status, reason) => {
    const error = await failure(org.send(op, input));
    expect({ name: error.name, status: error.status, reason: error.reason }).toEqual({ name, status, reason });
    expect(error.message.length).toBeGreaterThan(10);
    if (reason !== undefined) expect(error.body).toEqual({ __type: name, Message: error.message, Reason: reason });
    else expect(error.body).toEqual({ __type: name, Message: error.message });
  });

  test('the messages name the value and the constraint', async () => {
    expect((await failure(org.send('ListChildren', { ParentId: 'bogus', ChildType: 'ACCOUNT' }))).message)
      .toBe('You provided a value that doesn\'t match the required pattern: ParentId "bogus" does not match ^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$.');
    expect((await failure(org.send('ListAccounts', { MaxResults: 21 }))).message)
      .toBe('You provided a numeric parameter that has a larger value than allowed: MaxResults is 21, at most 20.');
    expect((await failure(org.send('ListChildren', { ParentId: ROOT }))).message)
      .toBe('You must include a value for all required parameters: ChildType is missing.');
  });
});

describe('the wire protocol', () => {
  test('answers are application/x-amz-json-1.1 with a request id; errors carry x-amzn-errortype', async () => {
    const ok = await org.raw('ListRoots', '{}');
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(ok.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    const error = await org.raw('DescribeAccount', '{"AccountId":"999999999999"}');
    expect(error.status).toBe(404);
    expect(error.headers['x-amzn-errortype']).toBe('AccountNotFoundException');
    expect(JSON.parse(error.body).__type).toBe('AccountNotFoundException');
  });

  test.each([
    ['a Proton content type', 'ListRoots', '{}', { 'content-type': 'application/x-amz-json-1.0' }, 'SerializationException', /content-type must be application\/x-amz-json-1.1/],
    ['a body that is not JSON', 'ListRoots', '{', {}, 'SerializationException', /not valid JSON/],
    ['a body that is a list', 'ListRoots', '[]', {}, 'SerializationException', /must be a JSON object/],
    ['a member the operation does not have', 'ListAccounts', '{"ParentId":"r-ex12"}', {}, 'SerializationException', /ListAccounts has no input member 'ParentId' \(its members: NextToken, MaxResults\)/],
    ['DescribeOrganization with a member', 'DescribeOrganization', '{"Id":"x"}', {}, 'SerializationException', /its members: none/],
    ['MaxResults as a string', 'ListAccounts', '{"MaxResults":"5"}', {}, 'SerializationException', /MaxResults must be an integer/],
    ['MaxResults as a fraction', 'ListAccounts', '{"MaxResults":2.5}', {}, 'SerializationException', /MaxResults must be an integer/],
    ['AccountId as a number', 'DescribeAccount', '{"AccountId":222222222222}', {}, 'SerializationException', /AccountId must be a string/],
    ['an operation the local endpoint does not implement', 'CreateAccount', '{}', {}, 'UnknownOperationException', /Unknown operation 'AWSOrganizationsV20161128.CreateAccount'.*ListRoots,ListChildren/],
  ])('%s: %s', async (_, op, body, headers, name, message) => {
    const answer = await org.raw(op, body, headers);
    expect(answer.status).toBe(400);
    const parsed = JSON.parse(answer.body);
    expect(parsed.__type).toBe(name);
    expect(parsed.Message).toMatch(message);
  });

  test('an empty body is {}; null members are absent', async () => {
    expect(JSON.parse((await org.raw('DescribeOrganization', '')).body).Organization.Id).toBe(ORG);
    expect(ids(JSON.parse((await org.raw('ListAccounts', '{"NextToken":null,"MaxResults":null}')).body).Accounts)).toHaveLength(8);
  });

  test('the signing Region does not matter (Organizations is global)', async () => {
    const euClient = new LocalOrganizationsClient({ endpoint: proton.url, credentials: credentialsForAccount(MGMT), region: 'eu-west-1' });
    expect(ids((await euClient.send<{ Roots: unknown[] }>('ListRoots')).Roots)).toEqual([ROOT]);
  });
});
