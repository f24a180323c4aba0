import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ProtonClient } from '@aws-sdk/client-proton';
import { enumerateTrustedAccounts } from '../../organization/handler/trusted-accounts';
import { SweepRequest } from '../acceptor-contract';
import { AllowList, AllowListEntries } from '../allow-list';
import { listRequestsToThisAccount } from './connection-listing';
import { acceptRequest, describeRequest, rejectRequest } from './request-decisions';

/** What a sweep needs; the allow-list loader reads the acceptor's stored allow-list. */
export interface SweepDeps {
  readonly proton: ProtonClient;
  readonly loadAllowList: (path: string) => Promise<AllowListEntries>;
  /** Created only when the allow-list trusts organizational units. */
  readonly organizations?: () => OrganizationsClient;
  readonly log?: (line: string) => void;
}

/** What one sweep did, by connection id. */
export interface SweepResult {
  readonly accepted: string[];
  readonly rejected: string[];
  /** Pending requests that are not allow-listed and were left alone. */
  readonly leftPending: string[];
}

/**
 * Continuous acceptance: accepts every PENDING request the allow-list names, rejects the others
 * only when `rejectUnlisted` is on, and leaves them alone otherwise. Run on a schedule and on
 * Proton's status-change events (which are best-effort, so the schedule is the guarantee). A
 * request that changed meanwhile is skipped.
 */
export async function sweep(request: SweepRequest, deps: SweepDeps): Promise<SweepResult> {
  const log = deps.log ?? console.log;
  const entries = await deps.loadAllowList(request.sweep.allowListPath);
  const allowList = new AllowList(entries);
  if (allowList.size === 0) {
    throw new Error(`the allow-list at ${request.sweep.allowListPath} is empty or missing: refusing to sweep`);
  }
  const result: SweepResult = { accepted: [], rejected: [], leftPending: [] };
  const pending = await listRequestsToThisAccount(deps.proton, ['PENDING']);
  const members = await trustedMembers(allowList, pending.length, deps, log);
  for (const connection of pending) {
    if (allowList.allows(connection, members)) {
      if (await acceptRequest(deps.proton, connection, log)) result.accepted.push(connection.id!);
    } else if (request.sweep.rejectUnlisted) {
      if (await rejectRequest(deps.proton, connection, log)) {
        result.rejected.push(connection.id!);
        log(`REJECTED unlisted ${describeRequest(connection)} (rejectUnlisted is on)`);
      }
    } else {
      result.leftPending.push(connection.id!);
      log(`left unlisted ${describeRequest(connection)} PENDING`);
    }
  }
  return result;
}

/**
 * The trusted OU trees' ACTIVE accounts and their names, enumerated once per sweep; none when the
 * allow-list trusts no OU or nothing is pending (no Organizations call then).
 */
async function trustedMembers(allowList: AllowList, pendingCount: number, deps: SweepDeps, log: (line: string) => void) {
  if (allowList.organizationalUnits.length === 0 || pendingCount === 0) return undefined;
  if (!deps.organizations) throw new Error('the allow-list trusts organizational units, but this handler has no Organizations client');
  const trusted = await enumerateTrustedAccounts(deps.organizations(), allowList.organizationalUnits);
  const calls = Object.entries(trusted.calls).map(([operation, count]) => `${operation} ${count}`).join(', ');
  log(`trusted organizational units: ${trusted.names.size} ACTIVE account(s), ${trusted.inactive.size} not ACTIVE (Organizations calls: ${calls})`);
  return trusted.names;
}
