import { ProtonClient } from '@aws-sdk/client-proton';
import { SweepRequest } from '../acceptor-contract';
import { AllowList, AllowListEntries } from '../allow-list';
import { listRequestsToThisAccount } from './connection-listing';
import { acceptRequest, describeRequest, rejectRequest } from './request-decisions';

/** What a sweep needs; the allow-list loader reads the acceptor's stored allow-list. */
export interface SweepDeps {
  readonly proton: ProtonClient;
  readonly loadAllowList: (path: string) => Promise<AllowListEntries>;
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
  for (const connection of pending) {
    if (allowList.allows(connection)) {
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
