import { readFileSync } from 'fs';
import * as path from 'path';
import { normalizeOrganizationDocument, OrganizationDocumentError } from '../../local/organizations';
import { startLocalProton } from '../../local/proton-endpoint';

const EXAMPLE = JSON.parse(readFileSync(path.join(__dirname, '../../local/organizations/example-organization.json'), 'utf8'));
const MGMT = '111111111111';

/** The problems a document is refused with (fails the test when it is accepted). */
function problems(document: unknown): readonly string[] {
  try {
    normalizeOrganizationDocument(document);
  } catch (err) {
    expect(err).toBeInstanceOf(OrganizationDocumentError);
    return (err as OrganizationDocumentError).problems;
  }
  throw new Error('expected the document to be refused');
}

const base = (extra: Record<string, unknown> = {}) => ({
  managementAccountId: MGMT,
  rootId: 'r-ab12',
  organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', name: 'A', parent: 'r-ab12' }],
  accounts: [{ id: '222222222222', parent: 'ou-ab12-aaaaaaaa' }],
  ...extra,
});

describe('the organization document', () => {
  test('the example document is valid; defaults are filled in and the snapshot is a valid document again', () => {
    const snapshot = normalizeOrganizationDocument(EXAMPLE);
    expect(snapshot.organizationId).toBe('o-exampleorg1');
    expect(snapshot.rootId).toBe('r-ex12');
    expect(snapshot.accounts).toHaveLength(8);
    expect(snapshot.accounts[1]).toEqual({
      id: '222222222222',
      name: 'dev',
      email: 'dev@example.com',
      status: 'ACTIVE',
      parent: 'ou-ex12-dev00001',
      joinedMethod: 'CREATED',
      joinedTimestamp: '2024-02-01T00:00:00.000Z',
    });
    expect(normalizeOrganizationDocument(snapshot)).toEqual(snapshot);
  });

  test('a minimal document: the management account is added to the root, the root id comes from the OU ids, the organization id from the management account', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const snapshot = normalizeOrganizationDocument({ managementAccountId: MGMT, accounts: [{ id: '222222222222', parent: 'ou-zz99-abcdefgh' }], organizationalUnits: [{ id: 'ou-zz99-abcdefgh', name: 'X', parent: 'r-zz99' }] }, now);
    expect(snapshot.rootId).toBe('r-zz99');
    expect(snapshot.organizationId).toMatch(/^o-[a-z0-9]{10}$/);
    expect(normalizeOrganizationDocument({ managementAccountId: MGMT, accounts: [] }).organizationId).toBe(snapshot.organizationId); // stable
    expect(snapshot.accounts[0]).toEqual({
      id: MGMT, name: 'management', email: 'management@example.com', status: 'ACTIVE', parent: 'r-zz99', joinedMethod: 'CREATED', joinedTimestamp: now.toISOString(),
    });
    expect(snapshot.accounts[1]).toMatchObject({ id: '222222222222', name: 'account-222222222222', email: 'account-222222222222@example.com' });
    // no OUs: a root id derived from the organization id
    expect(normalizeOrganizationDocument({ managementAccountId: MGMT, accounts: [] }).rootId).toMatch(/^r-[0-9a-z]{4}$/);
  });

  test.each([
    ['not an object', [], /the document must be a JSON object/],
    ['no management account', { accounts: [] }, /^managementAccountId: required/],
    ['a management account of 11 digits', { managementAccountId: '11111111111', accounts: [] }, /^managementAccountId: "11111111111" is not an account id \(pattern \^\\d\{12\}\$\)/],
    ['no accounts list', { managementAccountId: MGMT }, /^accounts: required/],
    ['an unknown top-level field', base({ orgId: 'x' }), /^orgId: unknown field/],
    ['a bad organization id', base({ organizationId: 'o-short' }), /^organizationId: "o-short" is not an organization id/],
    ['a bad root id', base({ rootId: 'root-1' }), /^rootId: "root-1" is not a root id \(pattern \^r-\[0-9a-z\]\{4,32\}\$\)/],
    ['an upper-case OU id', base({ organizationalUnits: [{ id: 'ou-ab12-AAAAAAAA', name: 'A', parent: 'r-ab12' }] }), /^organizationalUnits\[0\]\.id: "ou-ab12-AAAAAAAA" is not an organizational unit id \(pattern \^ou-/],
    ['an OU id of another root', base({ organizationalUnits: [{ id: 'ou-cd34-aaaaaaaa', name: 'A', parent: 'r-ab12' }] }), /^organizationalUnits\[0\]\.id: "ou-cd34-aaaaaaaa" is not in root r-ab12: an OU id starts with "ou-ab12-"/],
    ['an OU without a name', base({ organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', parent: 'r-ab12' }] }), /^organizationalUnits\[0\]\.name: required/],
    ['an OU name of 129 characters', base({ organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', name: 'n'.repeat(129), parent: 'r-ab12' }] }), /^organizationalUnits\[0\]\.name: must be 1 to 128 characters \(got 129\)/],
    ['an OU with an unknown parent', base({ organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', name: 'A', parent: 'ou-ab12-bbbbbbbb' }] }), /^organizationalUnits\[0\]\.parent: "ou-ab12-bbbbbbbb" names neither the root \(r-ab12\) nor an organizational unit/],
    ['an OU that is its own parent', base({ organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', name: 'A', parent: 'ou-ab12-aaaaaaaa' }] }), /^organizationalUnits\[0\]\.parent: ou-ab12-aaaaaaaa cannot be its own parent/],
    ['an OU listed twice', base({ organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', name: 'A', parent: 'r-ab12' }, { id: 'ou-ab12-aaaaaaaa', name: 'B', parent: 'r-ab12' }] }), /^organizationalUnits\[1\]\.id: "ou-ab12-aaaaaaaa" is listed twice \(also organizationalUnits\[0\]\)/],
    ['two sibling OUs of the same name', base({ organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', name: 'A', parent: 'r-ab12' }, { id: 'ou-ab12-bbbbbbbb', name: 'A', parent: 'r-ab12' }] }), /^organizationalUnits\[1\]\.name: "A" is already the name of organizationalUnits\[0\] under r-ab12/],
    ['an OU with an unknown field', base({ organizationalUnits: [{ id: 'ou-ab12-aaaaaaaa', name: 'A', parent: 'r-ab12', parentId: 'r-ab12' }] }), /^organizationalUnits\[0\]\.parentId: unknown field \(known: id, name, parent\)/],
    ['an account id of 13 digits', base({ accounts: [{ id: '2222222222222', parent: 'r-ab12' }] }), /^accounts\[0\]\.id: "2222222222222" is not an account id/],
    ['an account id given as a number', base({ accounts: [{ id: 222222222222, parent: 'r-ab12' }] }), /^accounts\[0\]\.id: must be a string of 12 digits \(got 222222222222\)/],
    ['an account without a parent', base({ accounts: [{ id: '222222222222' }] }), /^accounts\[0\]\.parent: required \(the root id r-ab12 or an OU id\)/],
    ['an account whose parent is an account', base({ accounts: [{ id: '222222222222', parent: MGMT }] }), /^accounts\[0\]\.parent: "111111111111" names neither the root/],
    ['an account listed twice', base({ accounts: [{ id: '222222222222', parent: 'r-ab12' }, { id: '222222222222', parent: 'ou-ab12-aaaaaaaa' }] }), /^accounts\[1\]\.id: 222222222222 is listed twice \(also accounts\[0\]\); an account belongs to one parent/],
    ['a bad status', base({ accounts: [{ id: '222222222222', parent: 'r-ab12', status: 'CLOSED' }] }), /^accounts\[0\]\.status: must be one of ACTIVE, SUSPENDED, PENDING_CLOSURE \(got "CLOSED"\)/],
    ['a suspended management account', base({ accounts: [{ id: MGMT, parent: 'r-ab12', status: 'SUSPENDED' }] }), /^accounts\[0\]\.status: the management account is always ACTIVE/],
    ['a bad email', base({ accounts: [{ id: '222222222222', parent: 'r-ab12', email: 'dev@localhost' }] }), /^accounts\[0\]\.email: "dev@localhost" is not an email address/],
    ['an empty account name', base({ accounts: [{ id: '222222222222', parent: 'r-ab12', name: '' }] }), /^accounts\[0\]\.name: must be 1 to 128 characters \(got 0\)/],
    ['a bad joined method', base({ accounts: [{ id: '222222222222', parent: 'r-ab12', joinedMethod: 'MOVED' }] }), /^accounts\[0\]\.joinedMethod: must be one of INVITED, CREATED/],
    ['a bad joined timestamp', base({ accounts: [{ id: '222222222222', parent: 'r-ab12', joinedTimestamp: 'yesterday' }] }), /^accounts\[0\]\.joinedTimestamp: must be an ISO-8601 time or epoch seconds/],
    ['an account with an unknown field', base({ accounts: [{ id: '222222222222', parentId: 'r-ab12', parent: 'r-ab12' }] }), /^accounts\[0\]\.parentId: unknown field/],
    ['a delegated administrator outside the organization', base({ delegatedAdministrators: ['999999999999'] }), /^delegatedAdministrators\[0\]: 999999999999 is not an account of the organization/],
    ['the management account as delegated administrator', base({ delegatedAdministrators: [MGMT] }), /^delegatedAdministrators\[0\]: 111111111111 is the management account/],
    ['a resource policy reader that is no account id', base({ resourcePolicyReaders: ['arn:aws:iam::222222222222:root'] }), /^resourcePolicyReaders\[0\]: "arn:aws:iam::222222222222:root" is not an account id/],
    ['readers that are not a list', base({ resourcePolicyReaders: '222222222222' }), /^resourcePolicyReaders: must be a list of account ids/],
  ])('refused: %s', (_, document, expected) => {
    const found = problems(document);
    expect(found.some((p) => expected.test(p))).toBe(true);
  });

  test('a cycle of OUs is named once, with its path', () => {
    const found = problems(base({
      organizationalUnits: [
        { id: 'ou-ab12-aaaaaaaa', name: 'A', parent: 'ou-ab12-cccccccc' },
        { id: 'ou-ab12-bbbbbbbb', name: 'B', parent: 'ou-ab12-aaaaaaaa' },
        { id: 'ou-ab12-cccccccc', name: 'C', parent: 'ou-ab12-bbbbbbbb' },
      ],
    }));
    expect(found.filter((p) => p.includes('cycle'))).toEqual([
      'organizationalUnits[0].parent: cycle ou-ab12-aaaaaaaa -> ou-ab12-cccccccc -> ou-ab12-bbbbbbbb -> ou-ab12-aaaaaaaa (every OU must lead up to the root)',
    ]);
  });

  test('OUs may be listed before their parents; more than five levels of OUs are refused', () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `ou-ab12-level00${i}`, name: `L${i}`, parent: i === 0 ? 'r-ab12' : `ou-ab12-level00${i - 1}` })).reverse();
    expect(normalizeOrganizationDocument({ managementAccountId: MGMT, rootId: 'r-ab12', accounts: [], organizationalUnits: chain(5) }).organizationalUnits).toHaveLength(5);
    expect(problems({ managementAccountId: MGMT, rootId: 'r-ab12', accounts: [], organizationalUnits: chain(6) })).toEqual([
      'organizationalUnits[0].parent: ou-ab12-level005 would be 6 levels deep; Organizations allows at most 5 levels of OUs under the root',
    ]);
  });

  test('every problem is reported at once, in one error whose message lists them', () => {
    let error: OrganizationDocumentError | undefined;
    try {
      normalizeOrganizationDocument({ managementAccountId: 'x', accounts: [{ id: 'y', parent: 'z' }] });
    } catch (err) {
      error = err as OrganizationDocumentError;
    }
    expect(error?.problems).toHaveLength(3);
    expect(error?.message).toMatch(/^invalid organization document:\n {2}- managementAccountId: "x" is not an account id/);
    expect(error?.message).toContain('\n  - accounts[0].id: "y" is not an account id');
    expect(error?.message).toContain('\n  - accounts[0].parent: "z" names neither the root');
  });

  test('startLocalProton refuses an invalid organization before listening', async () => {
    await expect(startLocalProton({ organization: { managementAccountId: MGMT, accounts: [{ id: '222222222222', parent: 'ou-ab12-nothere1' }] } }))
      .rejects.toThrow(/accounts\[0\]\.parent: "ou-ab12-nothere1" names neither the root/);
    await expect(startLocalProton({ organization: { managementAccountId: MGMT, accounts: [] }, organizationsFaults: { throttlingRate: 2 } }))
      .rejects.toThrow('organizationsFaults.throttlingRate must be a number between 0 and 1 (got 2)');
  });
});
