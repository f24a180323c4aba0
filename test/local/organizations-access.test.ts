import { readFileSync } from 'fs';
import * as path from 'path';
import { credentialsForAccount } from '../../local/local-credentials';
import { LocalOrganizationsClient, OrganizationsCallError, OrganizationDocument, ORGANIZATIONS_OPERATION_NAMES } from '../../local/organizations';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';

const EXAMPLE: OrganizationDocument = JSON.parse(readFileSync(path.join(__dirname, '../../local/organizations/example-organization.json'), 'utf8'));
const MGMT = '111111111111';
const DELEGATED_ADMIN = '666666666666';
const POLICY_READER = '888888888888';
const MEMBER = '222222222222';
const OUTSIDER = '999999999999';

/** A valid input for each operation. */
const INPUTS: Record<string, Record<string, unknown>> = {
  ListRoots: {},
  ListChildren: { ParentId: 'r-ex12', ChildType: 'ACCOUNT' },
  ListAccountsForParent: { ParentId: 'ou-ex12-dev00001' },
  ListOrganizationalUnitsForParent: { ParentId: 'r-ex12' },
  ListParents: { ChildId: MEMBER },
  DescribeAccount: { AccountId: MEMBER },
  DescribeOrganizationalUnit: { OrganizationalUnitId: 'ou-ex12-dev00001' },
  DescribeOrganization: {},
  ListAccounts: {},
};

let proton: LocalProton;
let bare: LocalProton;
const client = (account: string, server: LocalProton = proton) => new LocalOrganizationsClient({ endpoint: server.url, credentials: credentialsForAccount(account) });

beforeAll(async () => {
  proton = await startLocalProton({ organization: EXAMPLE, accessKeys: { AKIAEXAMPLEREADER01: POLICY_READER } });
  bare = await startLocalProton();
});
afterEach(() => {
  proton.admin.reset();
  bare.admin.reset();
});
afterAll(async () => {
  await proton.close();
  await bare.close();
});

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    const e = err as OrganizationsCallError;
    return `${e.name} ${e.status}`;
  }
}

test('the operations under test are the nine read operations', () => {
  expect(Object.keys(INPUTS).sort()).toEqual([...ORGANIZATIONS_OPERATION_NAMES].sort());
});

describe.each(ORGANIZATIONS_OPERATION_NAMES)('%s', (op) => {
  test('the management account, a delegated administrator and a resource-policy reader may call it', async () => {
    for (const account of [MGMT, DELEGATED_ADMIN, POLICY_READER]) expect(await outcome(client(account).send(op, INPUTS[op]))).toBe('ok');
  });

  test(`a member account without delegation: ${op === 'DescribeOrganization' ? 'allowed (any account of the organization may)' : 'AccessDeniedException'}`, async () => {
    expect(await outcome(client(MEMBER).send(op, INPUTS[op]))).toBe(op === 'DescribeOrganization' ? 'ok' : 'AccessDeniedException 403');
  });

  test('an account outside the organization: AWSOrganizationsNotInUseException', async () => {
    expect(await outcome(client(OUTSIDER).send(op, INPUTS[op]))).toBe('AWSOrganizationsNotInUseException 404');
  });

  test('an endpoint started without an organization: AWSOrganizationsNotInUseException for everyone', async () => {
    expect(await outcome(client(MGMT, bare).send(op, INPUTS[op]))).toBe('AWSOrganizationsNotInUseException 404');
  });
});

test('the answers carry the service\'s messages', async () => {
  const denied = await client(MEMBER).send('ListAccounts').catch((e: OrganizationsCallError) => e);
  expect(denied).toMatchObject({ name: 'AccessDeniedException', message: "You don't have permissions to access this resource." });
  const notInUse = await client(OUTSIDER).send('DescribeOrganization').catch((e: OrganizationsCallError) => e);
  expect(notInUse).toMatchObject({ name: 'AWSOrganizationsNotInUseException', message: expect.stringMatching(/^Your account isn't a member of an organization\./) });
});

test('a suspended member still reads DescribeOrganization; a member\'s access follows the admin changes', async () => {
  expect(await outcome(client('777777777777').send('DescribeOrganization'))).toBe('ok');
  // A delegated administrator that leaves the organization loses its registration (and it does not come back on rejoining).
  proton.admin.organizations.removeAccount(DELEGATED_ADMIN);
  expect(await outcome(client(DELEGATED_ADMIN).send('ListAccounts'))).toBe('AWSOrganizationsNotInUseException 404');
  proton.admin.organizations.addAccount({ id: DELEGATED_ADMIN, parent: 'ou-ex12-security' });
  expect(await outcome(client(DELEGATED_ADMIN).send('ListAccounts'))).toBe('AccessDeniedException 403');
  // An account that joins is a member at once.
  expect(await outcome(client(OUTSIDER).send('DescribeOrganization'))).toBe('AWSOrganizationsNotInUseException 404');
  proton.admin.organizations.addAccount({ id: OUTSIDER, parent: 'r-ex12' });
  expect(await outcome(client(OUTSIDER).send('DescribeOrganization'))).toBe('ok');
  proton.admin.reset();
  expect(await outcome(client(DELEGATED_ADMIN).send('ListAccounts'))).toBe('ok');
});

test('input errors come after the access check: a member gets AccessDeniedException even for a malformed call', async () => {
  expect(await outcome(client(MEMBER).send('DescribeAccount', { AccountId: 'abc' }))).toBe('AccessDeniedException 403');
  expect(await outcome(client(MGMT).send('DescribeAccount', { AccountId: 'abc' }))).toBe('InvalidInputException 400');
});

test('the caller comes from the SigV4 credential scope: an explicit access key, another service, no or a malformed header', async () => {
  const mapped = new LocalOrganizationsClient({ endpoint: proton.url, credentials: { accessKeyId: 'AKIAEXAMPLEREADER01', secretAccessKey: 'x' } });
  expect(await outcome(mapped.send('ListAccounts'))).toBe('ok');
  const org = client(MGMT);
  const scope = `LOCAL${MGMT}/20260101/us-east-1`;
  for (const [authorization, message] of [
    ['', /Missing Authentication Token/],
    ['Bearer abc', /not a valid AWS4-HMAC-SHA256 signature/],
    [`AWS4-HMAC-SHA256 Credential=${scope}/proton/aws4_request, SignedHeaders=host, Signature=00`, /Credential should be scoped to correct service: 'organizations' \(got 'proton'\)/],
    ['AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=00', /unknown access key id "AKIAUNKNOWN"/],
  ] as const) {
    const answer = await org.raw('ListRoots', '{}', { authorization });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ __type: 'AccessDeniedException', Message: expect.stringMatching(message) });
  }
  // unauthenticated calls are counted apart
  expect(proton.admin.organizations.callCounts().byAccount.unauthenticated).toEqual({ ListRoots: 4 });
});
