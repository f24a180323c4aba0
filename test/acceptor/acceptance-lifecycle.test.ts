import {
  AcceptEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommand,
  DeleteEnvironmentAccountConnectionCommand,
  RejectEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import { ACCEPTANCE_RESOURCE_TYPE } from '../../src/acceptor/acceptor-contract';
import { AllowListEntries } from '../../src/acceptor/allow-list';
import { onAcceptanceEvent } from '../../src/acceptor/handler/acceptance-lifecycle';
import { sweep } from '../../src/acceptor/handler/continuous-sweep';
import { createEvent, deleteEvent, updateEvent } from '../support/cfn-events';
import { ENVIRONMENT_ACCOUNT, MANAGEMENT_ACCOUNT, protonClientFor, roleArn, useLocalProton } from '../support/local-proton';

const endpoint = useLocalProton();
const OTHER_ACCOUNT = '333333333333';
const inAMinute = () => Date.now() + 60_000;

/** The acceptor's resources live in the management account's stack. */
const MANAGEMENT_STACK_ID = `arn:aws:cloudformation:us-east-1:${MANAGEMENT_ACCOUNT}:stack/ManagementAccountStack/6c0c2b50-0000-4000-8000-000000000000`;
const inManagementStack = { StackId: MANAGEMENT_STACK_ID };
const createAcceptance = (props: Record<string, unknown>) => createEvent(ACCEPTANCE_RESOURCE_TYPE, props, inManagementStack);
const updateAcceptance = (physicalId: string, oldProps: Record<string, unknown>, props: Record<string, unknown>) =>
  ({ ...updateEvent(ACCEPTANCE_RESOURCE_TYPE, physicalId, oldProps, props), ...inManagementStack });
const deleteAcceptance = (physicalId: string, props: Record<string, unknown>) => ({ ...deleteEvent(ACCEPTANCE_RESOURCE_TYPE, physicalId, props), ...inManagementStack });

function deps() {
  const lines: string[] = [];
  return { lines, deps: { proton: protonClientFor(endpoint(), MANAGEMENT_ACCOUNT), log: (l: string) => lines.push(l), poll: { initialDelayMs: 20, maxDelayMs: 100 } } };
}

async function fileRequest(environmentName: string, account = ENVIRONMENT_ACCOUNT): Promise<string> {
  const response = await protonClientFor(endpoint(), account).send(new CreateEnvironmentAccountConnectionCommand({
    managementAccountId: MANAGEMENT_ACCOUNT,
    environmentName,
    roleArn: roleArn(`proton-${environmentName}`, account),
  }));
  return response.environmentAccountConnection!.id!;
}

function statusOf(id: string) {
  return endpoint().admin.dump().connections.find((c) => c.id === id)?.status;
}

function acceptance(pairs: string[], extra: Record<string, unknown> = {}) {
  return createAcceptance({ Pairs: pairs, WaitTimeoutSeconds: '5', ...extra });
}

describe('deploy-time acceptance', () => {
  test('a request already there is accepted; its id is exposed per pair', async () => {
    const dev = await fileRequest('dev');
    const prod = await fileRequest('prod');
    const outcome = await onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`, `${ENVIRONMENT_ACCOUNT}/prod`]), inAMinute(), deps().deps);
    expect(outcome.data).toEqual({ ConnectionId0: dev, ConnectionId1: prod });
    expect(outcome.physicalResourceId).toMatch(/^proton-connection-acceptance-[0-9a-f]{24}$/);
    expect([statusOf(dev), statusOf(prod)]).toEqual(['CONNECTED', 'CONNECTED']);
  });

  test('a request arriving during the wait is accepted', async () => {
    const [outcome, id] = await Promise.all([
      onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps),
      new Promise((resolve) => setTimeout(resolve, 150)).then(() => fileRequest('dev')),
    ]);
    expect(outcome.data).toEqual({ ConnectionId0: id });
    expect(statusOf(id)).toBe('CONNECTED');
  });

  test('already CONNECTED is success with no Accept call', async () => {
    const id = await fileRequest('dev');
    await protonClientFor(endpoint(), MANAGEMENT_ACCOUNT).send(new AcceptEnvironmentAccountConnectionCommand({ id }));
    endpoint().admin.resetCallCounts();
    const outcome = await onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps);
    expect(outcome.data).toEqual({ ConnectionId0: id });
    expect(endpoint().admin.callCounts().byOperation).toEqual({ ListEnvironmentAccountConnections: 1 });
  });

  test('a REJECTED request fails, saying a new request must be filed', async () => {
    const id = await fileRequest('dev');
    await protonClientFor(endpoint(), MANAGEMENT_ACCOUNT).send(new RejectEnvironmentAccountConnectionCommand({ id }));
    await expect(onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps)).rejects.toThrow(
      `the connection request ${id} from account ${ENVIRONMENT_ACCOUNT} for environment "dev" in us-east-1 was REJECTED, and a rejected request can never be accepted. `
      + 'The environment account must file a new request: set replaceRejected: true on its EnvironmentAccountConnection (or ProtonEnvironmentLink) and deploy its stack, '
      + 'which files a new request in place of the rejected one; then deploy this stack again.',
    );
  });

  test('a re-filed request after a rejection is accepted', async () => {
    const rejected = await fileRequest('dev');
    await protonClientFor(endpoint(), MANAGEMENT_ACCOUNT).send(new RejectEnvironmentAccountConnectionCommand({ id: rejected }));
    const refiled = await fileRequest('dev');
    const outcome = await onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps);
    expect(outcome.data).toEqual({ ConnectionId0: refiled });
  });

  test('nothing within the bound fails naming account, environment and Region, and says to deploy the environment side first', async () => {
    const failure = onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`], { WaitTimeoutSeconds: '1' }), inAMinute(), deps().deps);
    await expect(failure).rejects.toThrow(
      /no connection request arrived within 1 s in us-east-1 for environment "dev" of account 222222222222. Deploy the environment account's stack \(its EnvironmentAccountConnection\) first/,
    );
  });

  test('unlisted requests are left untouched', async () => {
    await fileRequest('dev');
    const unlisted = await fileRequest('sandbox');
    const other = await fileRequest('dev', OTHER_ACCOUNT);
    await onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps);
    expect([statusOf(unlisted), statusOf(other)]).toEqual(['PENDING', 'PENDING']);
    expect(endpoint().admin.callCounts().byOperation.RejectEnvironmentAccountConnection).toBeUndefined();
  });

  test('an account-wide entry accepts any environment of that account, without waiting', async () => {
    const a = await fileRequest('dev', OTHER_ACCOUNT);
    const b = await fileRequest('anything-else', OTHER_ACCOUNT);
    const unlisted = await fileRequest('dev');
    const outcome = await onAcceptanceEvent(createAcceptance({ Accounts: [OTHER_ACCOUNT] }), inAMinute(), deps().deps);
    expect(outcome.data).toEqual({});
    expect([statusOf(a), statusOf(b), statusOf(unlisted)]).toEqual(['CONNECTED', 'CONNECTED', 'PENDING']);
  });

  test('update keeps the physical id and accepts new pairs; delete rejects and deletes nothing', async () => {
    const dev = await fileRequest('dev');
    const created = await onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps);
    const prod = await fileRequest('prod');
    const updated = await onAcceptanceEvent(
      updateAcceptance(created.physicalResourceId, { Pairs: [`${ENVIRONMENT_ACCOUNT}/dev`] }, { Pairs: [`${ENVIRONMENT_ACCOUNT}/prod`] }),
      inAMinute(), deps().deps);
    expect(updated).toEqual({ physicalResourceId: created.physicalResourceId, data: { ConnectionId0: prod } });
    endpoint().admin.resetCallCounts();
    await onAcceptanceEvent(deleteAcceptance(created.physicalResourceId, { Pairs: [`${ENVIRONMENT_ACCOUNT}/prod`] }), inAMinute(), deps().deps);
    expect(endpoint().admin.callCounts().total).toBe(0);
    expect([statusOf(dev), statusOf(prod)]).toEqual(['CONNECTED', 'CONNECTED']);
  });

  test('pagination: 150 pending requests, the expected ones on later pages, are found and accepted', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `env-${String(i).padStart(3, '0')}`);
    const ids: string[] = [];
    for (const name of names) ids.push(await fileRequest(name));
    const pairs = [`${ENVIRONMENT_ACCOUNT}/env-149`, `${ENVIRONMENT_ACCOUNT}/env-120`, `${ENVIRONMENT_ACCOUNT}/env-000`];
    const outcome = await onAcceptanceEvent(acceptance(pairs), inAMinute(), deps().deps);
    expect(outcome.data).toEqual({ ConnectionId0: ids[149], ConnectionId1: ids[120], ConnectionId2: ids[0] });
    expect(endpoint().admin.dump().connections.filter((c) => c.status === 'CONNECTED')).toHaveLength(3);
    expect(endpoint().admin.callCounts().byOperation.ListEnvironmentAccountConnections).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test('throttling: a third of calls throttled, every expected request still accepted', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names) await fileRequest(name);
    endpoint().admin.setFaults({ seed: 11, throttlingRate: 0.3 });
    const outcome = await onAcceptanceEvent(acceptance(names.map((n) => `${ENVIRONMENT_ACCOUNT}/${n}`)), inAMinute(), deps().deps);
    expect(Object.keys(outcome.data!)).toHaveLength(5);
    expect(endpoint().admin.dump().connections.every((c) => c.status === 'CONNECTED')).toBe(true);
    expect(endpoint().admin.faultCounts().ThrottlingException).toBeGreaterThan(0);
  }, 60_000);

  test('listed pairs are accepted when found, never waited for', async () => {
    const dev = await fileRequest('dev');
    const started = Date.now();
    const outcome = await onAcceptanceEvent(createAcceptance({
      ListedPairs: [`${ENVIRONMENT_ACCOUNT}/dev`, `${ENVIRONMENT_ACCOUNT}/prod`], WaitTimeoutSeconds: '5',
    }), inAMinute(), deps().deps);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome.data).toEqual({});
    expect(statusOf(dev)).toBe('CONNECTED');
  });

  test('nothing to accept fails with a clear reason, before any call', async () => {
    for (const event of [createAcceptance({}), updateAcceptance('p', { Pairs: [`${ENVIRONMENT_ACCOUNT}/dev`] }, { Pairs: [] })]) {
      await expect(onAcceptanceEvent(event, inAMinute(), deps().deps)).rejects.toThrow(
        'nothing to accept: the resource lists no Pairs, ListedPairs or Accounts. Give the EnvironmentAccountConnectionAcceptor expected connections, trusted accounts or trusted organizational units.');
    }
    expect(endpoint().admin.callCounts().total).toBe(0);
  });

  test('an acceptor that trusts only organizational units has nothing to do at deploy: SUCCESS, no call (its sweep accepts)', async () => {
    const { deps: d, lines } = deps();
    for (const event of [createAcceptance({ TrustsOrganizationalUnits: 'true' }), updateAcceptance('p', { TrustsOrganizationalUnits: 'true' }, { TrustsOrganizationalUnits: 'true' })]) {
      const outcome = await onAcceptanceEvent(event, inAMinute(), d);
      expect(outcome.data ?? {}).toEqual({});
    }
    expect(lines).toContain('nothing to accept at deploy: the trusted organizational units\' requests are accepted by the continuous sweep (on Proton\'s events and on the schedule)');
    expect(endpoint().admin.callCounts().total).toBe(0);
  });

  test('with the end-of-support switch, an Update makes no call and the ids read END_OF_SUPPORT; a Create refuses', async () => {
    const props = { Pairs: [`${ENVIRONMENT_ACCOUNT}/dev`, `${ENVIRONMENT_ACCOUNT}/prod`], EndOfSupport: 'true' };
    const updated = await onAcceptanceEvent(updateAcceptance('p', { Pairs: props.Pairs }, props), inAMinute(), deps().deps);
    expect(updated).toEqual({ physicalResourceId: 'p', data: { ConnectionId0: 'END_OF_SUPPORT', ConnectionId1: 'END_OF_SUPPORT' } });
    await expect(onAcceptanceEvent(createAcceptance(props), inAMinute(), deps().deps)).rejects.toThrow(/endOfSupport is on: AWS Proton has reached its end of support/);
    expect(endpoint().admin.callCounts().total).toBe(0);
  });

  test('bad properties fail naming the property', async () => {
    await expect(onAcceptanceEvent(createAcceptance({ ListedPairs: ['1/dev'] }), inAMinute(), deps().deps)).rejects.toThrow(/invalid ListedPairs "1\/dev"/);
    await expect(onAcceptanceEvent(acceptance(['222222222222/bad name']), inAMinute(), deps().deps)).rejects.toThrow(/invalid Pairs "222222222222\/bad name"/);
    await expect(onAcceptanceEvent(acceptance(['12/dev']), inAMinute(), deps().deps)).rejects.toThrow(/invalid Pairs "12\/dev": must be a 12-digit AWS account id/);
    await expect(onAcceptanceEvent(createAcceptance({ Accounts: ['x'] }), inAMinute(), deps().deps)).rejects.toThrow(/invalid Accounts "x"/);
  });

  test('an entry for the management account itself (a token at synth) fails naming the property, before any wait or call', async () => {
    const rule = 'is this management account itself: a connection links two different accounts';
    const own = `${MANAGEMENT_ACCOUNT}/dev`;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ Pairs: [`${ENVIRONMENT_ACCOUNT}/dev`, own] }, `invalid Pairs "${own}": its environment account ${MANAGEMENT_ACCOUNT} ${rule}`],
      [{ ListedPairs: [own] }, `invalid ListedPairs "${own}": its environment account ${MANAGEMENT_ACCOUNT} ${rule}`],
      [{ Accounts: [OTHER_ACCOUNT, MANAGEMENT_ACCOUNT] }, `invalid Accounts "${MANAGEMENT_ACCOUNT}": ${rule}`],
    ];
    const started = Date.now();
    for (const [props, message] of cases) {
      // WaitTimeoutSeconds: a check after the wait would take this long
      const longWait = { ...props, WaitTimeoutSeconds: '30' };
      await expect(onAcceptanceEvent(createAcceptance(longWait), inAMinute(), deps().deps)).rejects.toThrow(message);
      await expect(onAcceptanceEvent(updateAcceptance('p', { Pairs: [`${ENVIRONMENT_ACCOUNT}/dev`] }, longWait), inAMinute(), deps().deps)).rejects.toThrow(message);
    }
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(endpoint().admin.callCounts().total).toBe(0);
    // the same entries are fine in another account's stack: the rule is about the handler's own account
    const elsewhere = createEvent(ACCEPTANCE_RESOURCE_TYPE, { ListedPairs: [own], Accounts: [MANAGEMENT_ACCOUNT] });
    await expect(onAcceptanceEvent(elsewhere, inAMinute(), deps().deps)).resolves.toEqual(expect.objectContaining({ data: {} }));
  });
});

describe('continuous acceptance (sweep)', () => {
  const path = '/cdk-proton-account-connections/acceptor-test';
  const request = (rejectUnlisted = false) => ({ sweep: { allowListPath: path, rejectUnlisted } });
  function sweepDeps(entries: AllowListEntries) {
    const lines: string[] = [];
    return { lines, deps: { proton: protonClientFor(endpoint(), MANAGEMENT_ACCOUNT), loadAllowList: async (p: string) => (p === path ? entries : { pairs: [], accounts: [] }), log: (l: string) => lines.push(l) } };
  }

  test('a re-filed request for an allow-listed pair is accepted without a redeploy; unlisted ones stay PENDING', async () => {
    const first = await fileRequest('dev');
    await onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps);
    // the environment side replaces its connection: delete, then file again
    await protonClientFor(endpoint(), ENVIRONMENT_ACCOUNT).send(new DeleteEnvironmentAccountConnectionCommand({ id: first }));
    const refiled = await fileRequest('dev');
    const unlisted = await fileRequest('sandbox');
    const result = await sweep(request(), sweepDeps({ pairs: [`${ENVIRONMENT_ACCOUNT}/dev`], accounts: [] }).deps);
    expect(result).toEqual({ accepted: [refiled], rejected: [], leftPending: [unlisted] });
    expect([statusOf(refiled), statusOf(unlisted)]).toEqual(['CONNECTED', 'PENDING']);
  });

  test('account-wide entries are honoured by the sweep', async () => {
    const id = await fileRequest('whatever', OTHER_ACCOUNT);
    const result = await sweep(request(), sweepDeps({ pairs: [], accounts: [OTHER_ACCOUNT] }).deps);
    expect(result.accepted).toEqual([id]);
  });

  test('rejectUnlisted rejects exactly the unlisted PENDING requests', async () => {
    const listed = await fileRequest('dev');
    const unlisted = await fileRequest('sandbox');
    const foreign = await fileRequest('dev', OTHER_ACCOUNT);
    const { deps: d, lines } = sweepDeps({ pairs: [`${ENVIRONMENT_ACCOUNT}/dev`], accounts: [] });
    const result = await sweep(request(true), d);
    expect(result).toEqual({ accepted: [listed], rejected: [unlisted, foreign], leftPending: [] });
    expect([statusOf(listed), statusOf(unlisted), statusOf(foreign)]).toEqual(['CONNECTED', 'REJECTED', 'REJECTED']);
    expect(lines.join('\n')).toMatch(/REJECTED unlisted connection/);
  });

  test('an empty or missing allow-list never sweeps (and so never rejects)', async () => {
    const id = await fileRequest('dev');
    await expect(sweep(request(true), sweepDeps({ pairs: [], accounts: [] }).deps)).rejects.toThrow(/is empty or missing: refusing to sweep/);
    expect(statusOf(id)).toBe('PENDING');
  });

  test('a request that changes while it is accepted or rejected: the sweep skips it, the deploy looks again; other errors fail both', async () => {
    const listed = await fileRequest('dev');
    const unlisted = await fileRequest('sandbox');
    endpoint().admin.failNext('AcceptEnvironmentAccountConnection', 'ConflictException', 1);
    endpoint().admin.failNext('RejectEnvironmentAccountConnection', 'ResourceNotFoundException', 1);
    const { deps: d, lines } = sweepDeps({ pairs: [`${ENVIRONMENT_ACCOUNT}/dev`], accounts: [] });
    expect(await sweep(request(true), d)).toEqual({ accepted: [], rejected: [], leftPending: [] });
    expect(lines.join('\n')).toMatch(new RegExp(`connection ${listed} .* changed while accepting it \\(ConflictException`));
    expect([statusOf(listed), statusOf(unlisted)]).toEqual(['PENDING', 'PENDING']);

    endpoint().admin.failNext('AcceptEnvironmentAccountConnection', 'ConflictException', 1);
    const outcome = await onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/dev`]), inAMinute(), deps().deps);
    expect(outcome.data).toEqual({ ConnectionId0: listed });

    const other = await fileRequest('qa');
    endpoint().admin.failNext('AcceptEnvironmentAccountConnection', 'AccessDeniedException', 2);
    await expect(sweep(request(), sweepDeps({ pairs: [`${ENVIRONMENT_ACCOUNT}/qa`], accounts: [] }).deps)).rejects.toThrow(/AccessDenied/);
    await expect(onAcceptanceEvent(acceptance([`${ENVIRONMENT_ACCOUNT}/qa`]), inAMinute(), deps().deps))
      .rejects.toThrow(`could not accept connection ${other}: AccessDeniedException`);
  });
});
