/**
 * The local Organizations surface through the real `@aws-sdk/client-organizations` (3.1029.0): every read operation,
 * the SDK's paginators, its modeled exception classes (with the model's HTTP statuses and members), and its
 * standard retry strategy on TooManyRequestsException.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import {
  AccessDeniedException,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  InvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationalUnitNotFoundException,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListChildren,
  ParentNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { credentialsForAccount } from '../../local/local-credentials';
import { OrganizationDocument } from '../../local/organizations';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const EXAMPLE: OrganizationDocument = JSON.parse(readFileSync(path.join(__dirname, '../../local/organizations/example-organization.json'), 'utf8'));
const MGMT = '111111111111';
const ORG = 'o-exampleorg1';
const ROOT = 'r-ex12';
const OU = { workloads: 'ou-ex12-workload', prod: 'ou-ex12-prod0001', payments: 'ou-ex12-payments', dev: 'ou-ex12-dev00001', security: 'ou-ex12-security' };

let proton: LocalProton;
const clients: OrganizationsClient[] = [];
const sdk = (account = MGMT, maxAttempts = 1) => {
  const c = new OrganizationsClient({ endpoint: proton.url, region: 'us-east-1', credentials: credentialsForAccount(account), maxAttempts });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  proton = await startLocalProton({ organization: EXAMPLE });
});
afterEach(() => {
  clients.splice(0).forEach((c) => c.destroy());
  proton.admin.reset();
});
afterAll(() => proton.close());

test('every read operation, deserialized by the SDK', async () => {
  const org = sdk();
  const roots = await org.send(new ListRootsCommand({}));
  expect(roots.Roots).toEqual([{ Id: ROOT, Arn: `arn:aws:organizations::${MGMT}:root/${ORG}/${ROOT}`, Name: 'Root', PolicyTypes: [] }]);
  expect(roots.NextToken).toBeUndefined();
  expect(roots.$metadata.httpStatusCode).toBe(200);

  const description = await org.send(new DescribeOrganizationCommand({}));
  expect(description.Organization).toMatchObject({ Id: ORG, FeatureSet: 'ALL', MasterAccountId: MGMT, MasterAccountEmail: 'management@example.com' });

  const account = (await org.send(new DescribeAccountCommand({ AccountId: '444444444444' }))).Account!;
  expect(account).toEqual({
    Id: '444444444444',
    Arn: `arn:aws:organizations::${MGMT}:account/${ORG}/444444444444`,
    Email: 'payments-prod@example.com',
    Name: 'payments-prod',
    Status: 'ACTIVE',
    State: 'ACTIVE',
    Paths: [`${ORG}/${ROOT}/${OU.workloads}/${OU.prod}/${OU.payments}/444444444444/`],
    JoinedMethod: 'CREATED',
    JoinedTimestamp: new Date('2024-04-01T00:00:00Z'), // epoch seconds on the wire, a Date in the SDK
  });

  expect((await org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: OU.payments }))).OrganizationalUnit)
    .toEqual({ Id: OU.payments, Arn: `arn:aws:organizations::${MGMT}:ou/${ORG}/${OU.payments}`, Name: 'Payments', Path: `${ORG}/${ROOT}/${OU.workloads}/${OU.prod}/${OU.payments}/` });
  expect((await org.send(new ListChildrenCommand({ ParentId: OU.workloads, ChildType: 'ORGANIZATIONAL_UNIT' }))).Children)
    .toEqual([{ Id: OU.prod, Type: 'ORGANIZATIONAL_UNIT' }, { Id: OU.dev, Type: 'ORGANIZATIONAL_UNIT' }]);
  expect((await org.send(new ListAccountsForParentCommand({ ParentId: OU.dev }))).Accounts?.map((a) => [a.Id, a.JoinedMethod]))
    .toEqual([['222222222222', 'CREATED'], ['555555555555', 'INVITED']]);
  expect((await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ROOT }))).OrganizationalUnits?.map((o) => o.Name)).toEqual(['Workloads', 'Security']);
  expect((await org.send(new ListParentsCommand({ ChildId: OU.workloads }))).Parents).toEqual([{ Id: ROOT, Type: 'ROOT' }]);
  const all = await org.send(new ListAccountsCommand({}));
  expect(all.Accounts).toHaveLength(8);
  expect(all.Accounts!.find((a) => a.Id === '777777777777')).toMatchObject({ Status: 'SUSPENDED', State: 'SUSPENDED' });
});

test('the SDK\'s paginators follow NextToken (and the documented empty pages)', async () => {
  const org = sdk();
  const pages: number[] = [];
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client: org, pageSize: 3 }, {})) {
    pages.push(page.Accounts!.length);
    ids.push(...page.Accounts!.map((a) => a.Id!));
  }
  expect(pages).toEqual([3, 3, 2]);
  expect(ids).toHaveLength(8);

  proton.admin.organizations.setFaults({ seed: 5, emptyPageRate: 0.5 });
  const children: string[] = [];
  let calls = 0;
  for await (const page of paginateListChildren({ client: org, pageSize: 1 }, { ParentId: ROOT, ChildType: 'ACCOUNT' })) {
    calls += 1;
    children.push(...page.Children!.map((c) => c.Id!));
  }
  expect(children).toEqual([MGMT, '777777777777']);
  expect(calls).toBeGreaterThan(2);
  expect(proton.admin.organizations.faultCounts().EmptyPage).toBe(calls - 2);

  proton.admin.organizations.setFaults({});
  const dev: string[] = [];
  for await (const page of paginateListAccountsForParent({ client: org, pageSize: 1 }, { ParentId: OU.dev })) dev.push(...page.Accounts!.map((a) => a.Id!));
  expect(dev).toEqual(['222222222222', '555555555555']);
});

test.each([
  ['an unknown account', () => new DescribeAccountCommand({ AccountId: '999999999999' }), AccountNotFoundException, 404],
  ['an unknown OU', () => new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-ex12-nothere0' }), OrganizationalUnitNotFoundException, 404],
  ['an unknown parent', () => new ListChildrenCommand({ ParentId: 'ou-ex12-nothere0', ChildType: 'ACCOUNT' }), ParentNotFoundException, 404],
  ['an unknown child', () => new ListParentsCommand({ ChildId: '999999999999' }), ChildNotFoundException, 404],
  ['a malformed id', () => new DescribeAccountCommand({ AccountId: 'abc' }), InvalidInputException, 400],
])('%s: the SDK\'s modeled exception class, with the model\'s HTTP status', async (_, command, type, status) => {
  const error = await sdk().send(command() as never).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(status);
  expect((error as Error).message.length).toBeGreaterThan(10);
});

test('InvalidInputException carries Reason; a member gets AccessDeniedException; an outsider AWSOrganizationsNotInUseException', async () => {
  const invalid = await sdk().send(new ListAccountsCommand({ MaxResults: 21 })).catch((e: unknown) => e);
  expect(invalid).toBeInstanceOf(InvalidInputException);
  expect((invalid as InvalidInputException).Reason).toBe('MAX_VALUE_EXCEEDED');
  const token = await sdk().send(new ListAccountsCommand({ NextToken: 'garbage' })).catch((e: unknown) => e);
  expect((token as InvalidInputException).Reason).toBe('INVALID_NEXT_TOKEN');
  await expect(sdk('222222222222').send(new ListRootsCommand({}))).rejects.toBeInstanceOf(AccessDeniedException);
  expect((await sdk('222222222222').send(new DescribeOrganizationCommand({}))).Organization?.Id).toBe(ORG);
  await expect(sdk('999999999999').send(new DescribeOrganizationCommand({}))).rejects.toBeInstanceOf(AWSOrganizationsNotInUseException);
});

test('TooManyRequestsException: a throttling error to the SDK (by its name and 429), retried by its standard strategy', async () => {
  proton.admin.organizations.throttleNext(2);
  const answer = await sdk(MGMT, 3).send(new ListRootsCommand({}));
  expect(answer.$metadata.attempts).toBe(3);
  expect(proton.admin.organizations.callCounts()).toMatchObject({ total: 3, faulted: 2 });

  proton.admin.organizations.throttleNext(1);
  const error = await sdk(MGMT, 1).send(new ListRootsCommand({})).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TooManyRequestsException);
  expect((error as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
}, 20_000);
