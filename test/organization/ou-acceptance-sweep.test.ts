/**
 * The acceptor's continuous sweep with OU trust, against the local endpoint serving both Proton
 * and the Organizations read surface: nested OUs, suspended accounts, accounts outside the OUs,
 * the exact derived name, joining, moving and leaving between sweeps, access, throttling, and
 * Organizations calls per sweep (the OU trees enumerated once, no per-account call).
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateEnvironmentAccountConnectionCommand, GetEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { credentialsForAccount } from '../../local/local-credentials';
import type { OrganizationDocument } from '../../local/organizations';
import { AllowListEntries } from '../../src/acceptor/allow-list';
import { sweep, SweepResult } from '../../src/acceptor/handler/continuous-sweep';
import { MANAGEMENT_ACCOUNT, protonClientFor, roleArn, useLocalProton } from '../support/local-proton';

const ORGANIZATION_MANAGEMENT = '999999999999';
const ROOT = 'r-test';
const PLATFORM = 'ou-test-platform';
const NESTED = 'ou-test-nested01';
const DEEPEST = 'ou-test-deepest1';
const OTHER = 'ou-test-otherou1';
const IN_PLATFORM = '222222222222';
const IN_NESTED = '333333333333';
const SUSPENDED = '444444444444';
const OUTSIDE = '555555555555';
const IN_DEEPEST = '121212121212';

const ORGANIZATION: OrganizationDocument = {
  managementAccountId: ORGANIZATION_MANAGEMENT,
  rootId: ROOT,
  organizationalUnits: [
    { id: PLATFORM, name: 'Platform', parent: ROOT },
    { id: NESTED, name: 'Nested', parent: PLATFORM },
    { id: DEEPEST, name: 'Deepest', parent: NESTED },
    { id: OTHER, name: 'Other', parent: ROOT },
  ],
  accounts: [
    { id: ORGANIZATION_MANAGEMENT, parent: ROOT },
    { id: MANAGEMENT_ACCOUNT, parent: ROOT },
    { id: IN_PLATFORM, parent: PLATFORM },
    { id: IN_NESTED, parent: NESTED },
    { id: IN_DEEPEST, parent: DEEPEST },
    { id: SUSPENDED, parent: NESTED, status: 'SUSPENDED' },
    { id: OUTSIDE, parent: OTHER },
  ],
  // the Proton management account reads the organization through its delegation policy
  resourcePolicyReaders: [MANAGEMENT_ACCOUNT],
};

const endpoint = useLocalProton({ organization: ORGANIZATION });
const TRUST: AllowListEntries = { pairs: [], accounts: [], organizationalUnits: [{ ids: [PLATFORM], prefix: 'platform' }] };

function organizationsClientFor(account: string, maxAttempts = 10): OrganizationsClient {
  return new OrganizationsClient({ endpoint: endpoint().url, region: 'us-east-1', credentials: credentialsForAccount(account), maxAttempts, retryMode: 'adaptive' });
}

async function runSweep(entries: AllowListEntries = TRUST, options: { rejectUnlisted?: boolean; reader?: string } = {}): Promise<{ result: SweepResult; lines: string[] }> {
  const lines: string[] = [];
  const result = await sweep({ sweep: { allowListPath: '/test/allow-list', rejectUnlisted: options.rejectUnlisted ?? false } }, {
    proton: protonClientFor(endpoint(), MANAGEMENT_ACCOUNT),
    loadAllowList: async () => entries,
    organizations: () => organizationsClientFor(options.reader ?? MANAGEMENT_ACCOUNT),
    log: (line) => lines.push(line),
  });
  return { result, lines };
}

async function fileRequest(account: string, environmentName: string): Promise<string> {
  const response = await protonClientFor(endpoint(), account).send(new CreateEnvironmentAccountConnectionCommand({
    managementAccountId: MANAGEMENT_ACCOUNT, environmentName, roleArn: roleArn(`proton-${environmentName}`, account),
  }));
  return response.environmentAccountConnection!.id!;
}

async function statusOf(account: string, id: string): Promise<string | undefined> {
  const response = await protonClientFor(endpoint(), account).send(new GetEnvironmentAccountConnectionCommand({ id }));
  return response.environmentAccountConnection?.status;
}

test('accepts exactly the derived name of each ACTIVE account in the OU tree (nested to depth 3), and nothing else', async () => {
  const requests = {
    inPlatform: await fileRequest(IN_PLATFORM, `platform-${IN_PLATFORM}`),
    inNested: await fileRequest(IN_NESTED, `platform-${IN_NESTED}`),
    inDeepest: await fileRequest(IN_DEEPEST, `platform-${IN_DEEPEST}`),
    wrongName: await fileRequest(IN_PLATFORM, 'dev'),
    otherAccountsName: await fileRequest(IN_NESTED, `platform-${IN_PLATFORM}`),
    suspended: await fileRequest(SUSPENDED, `platform-${SUSPENDED}`),
    outside: await fileRequest(OUTSIDE, `platform-${OUTSIDE}`),
  };
  const { result, lines } = await runSweep();
  expect(result.accepted.sort()).toEqual([requests.inPlatform, requests.inNested, requests.inDeepest].sort());
  expect(result.rejected).toEqual([]);
  expect(result.leftPending.sort()).toEqual([requests.wrongName, requests.otherAccountsName, requests.suspended, requests.outside].sort());
  expect(await statusOf(IN_PLATFORM, requests.inPlatform)).toBe('CONNECTED');
  expect(await statusOf(SUSPENDED, requests.suspended)).toBe('PENDING');
  expect(await statusOf(OUTSIDE, requests.outside)).toBe('PENDING');
  expect(lines).toContain('trusted organizational units: 3 ACTIVE account(s), 1 not ACTIVE (Organizations calls: ListAccountsForParent 3, ListChildren 3)');
});

test('one enumeration per sweep: each OU read once, however many entries include it; no per-account call', async () => {
  await fileRequest(IN_PLATFORM, `platform-${IN_PLATFORM}`);
  endpoint().admin.organizations.resetCallCounts();
  const entries: AllowListEntries = {
    pairs: [],
    accounts: [],
    organizationalUnits: [{ ids: [PLATFORM, NESTED], prefix: 'platform' }, { ids: [NESTED], prefix: 'sandbox' }],
  };
  await runSweep(entries);
  const calls = endpoint().admin.organizations.callCounts().byOperation;
  expect(calls).toEqual({ ListAccountsForParent: 3, ListChildren: 3 });
});

test('no pending request, no Organizations call', async () => {
  endpoint().admin.organizations.resetCallCounts();
  const { result } = await runSweep();
  expect(result).toEqual({ accepted: [], rejected: [], leftPending: [] });
  expect(endpoint().admin.organizations.callCounts().total).toBe(0);
});

test('an account that joins the OU is accepted by the next sweep, without a redeploy; one that leaves or moves out is not', async () => {
  const joiner = '131313131313';
  const before = await fileRequest(joiner, `platform-${joiner}`);
  expect((await runSweep()).result.leftPending).toEqual([before]);

  endpoint().admin.organizations.addAccount({ id: joiner, parent: NESTED });
  expect((await runSweep()).result.accepted).toEqual([before]);

  endpoint().admin.organizations.moveAccount(IN_NESTED, OTHER);
  endpoint().admin.organizations.removeAccount(IN_PLATFORM);
  const moved = await fileRequest(IN_NESTED, `platform-${IN_NESTED}`);
  const left = await fileRequest(IN_PLATFORM, `platform-${IN_PLATFORM}`);
  const { result } = await runSweep();
  expect(result.accepted).toEqual([]);
  expect(result.leftPending.sort()).toEqual([moved, left].sort());

  endpoint().admin.organizations.moveAccount(IN_NESTED, DEEPEST);
  expect((await runSweep()).result.accepted).toEqual([moved]);
});

test('an account suspended after filing is not accepted; reinstated, it is', async () => {
  const id = await fileRequest(IN_DEEPEST, `platform-${IN_DEEPEST}`);
  endpoint().admin.organizations.setAccountStatus(IN_DEEPEST, 'SUSPENDED');
  expect((await runSweep()).result.leftPending).toEqual([id]);
  endpoint().admin.organizations.setAccountStatus(IN_DEEPEST, 'ACTIVE');
  expect((await runSweep()).result.accepted).toEqual([id]);
});

test('the root as the trusted unit trusts every ACTIVE account of the organization (for its derived name only)', async () => {
  const outside = await fileRequest(OUTSIDE, `platform-${OUTSIDE}`);
  const wrong = await fileRequest(OUTSIDE, 'platform');
  const { result } = await runSweep({ pairs: [], accounts: [], organizationalUnits: [{ ids: [ROOT], prefix: 'platform' }] });
  expect(result.accepted).toEqual([outside]);
  expect(result.leftPending).toEqual([wrong]);
});

test('rejectUnlisted rejects what the OU trust does not cover, and never an OU member\'s derived name', async () => {
  const member = await fileRequest(IN_PLATFORM, `platform-${IN_PLATFORM}`);
  const outside = await fileRequest(OUTSIDE, `platform-${OUTSIDE}`);
  const { result } = await runSweep(TRUST, { rejectUnlisted: true });
  expect(result.accepted).toEqual([member]);
  expect(result.rejected).toEqual([outside]);
});

test('a Proton management account the organization does not let read fails the sweep with AccessDenied, accepting nothing', async () => {
  const id = await fileRequest(IN_PLATFORM, `platform-${IN_PLATFORM}`);
  await expect(runSweep(TRUST, { reader: OUTSIDE })).rejects.toThrow(/AccessDenied|not authorized|don't have permissions/i);
  expect(await statusOf(IN_PLATFORM, id)).toBe('PENDING');
});

test('throttled Organizations calls are retried with backoff: the sweep still accepts', async () => {
  const id = await fileRequest(IN_NESTED, `platform-${IN_NESTED}`);
  endpoint().admin.organizations.resetCallCounts();
  endpoint().admin.organizations.throttleNext(3);
  const { result } = await runSweep();
  expect(result.accepted).toEqual([id]);
  expect(endpoint().admin.organizations.callCounts().faulted).toBe(3);
}, 60_000);
