import {
  AcceptEnvironmentAccountConnectionCommand,
  EnvironmentAccountConnectionSummary,
  ProtonClient,
  RejectEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import { describeError, isProtonError } from '../../handler-runtime/proton-errors';

/**
 * Accepting and rejecting one PENDING request while others act on it too: the environment
 * account deletes or files it again, another acceptor or a sweep accepts or rejects it. A request
 * that changed meanwhile is no failure: Proton answers ResourceNotFound (it is gone) or Conflict
 * (it is no longer PENDING), and the caller looks again or moves on. Any other error is thrown
 * as it is.
 */

/** How a request is named in the log. */
export function describeRequest(request: EnvironmentAccountConnectionSummary): string {
  return `connection ${request.id} from account ${request.environmentAccountId} for environment "${request.environmentName}"`;
}

type Log = (line: string) => void;

/** Accepts `request`: true when accepted, false when it changed meanwhile. */
export async function acceptRequest(proton: ProtonClient, request: EnvironmentAccountConnectionSummary, log: Log): Promise<boolean> {
  const accepted = await unlessChangedMeanwhile(
    () => proton.send(new AcceptEnvironmentAccountConnectionCommand({ id: request.id })), request, 'accepting', log);
  if (accepted) log(`accepted ${describeRequest(request)}`);
  return accepted;
}

/** Rejects `request`: true when rejected, false when it changed meanwhile. */
export async function rejectRequest(proton: ProtonClient, request: EnvironmentAccountConnectionSummary, log: Log): Promise<boolean> {
  return unlessChangedMeanwhile(
    () => proton.send(new RejectEnvironmentAccountConnectionCommand({ id: request.id })), request, 'rejecting', log);
}

async function unlessChangedMeanwhile(
  call: () => Promise<unknown>,
  request: EnvironmentAccountConnectionSummary,
  doing: string,
  log: Log,
): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (isProtonError(error, 'ResourceNotFoundException') || isProtonError(error, 'ConflictException')) {
      log(`${describeRequest(request)} changed while ${doing} it (${describeError(error)}): left as it is now`);
      return false;
    }
    throw error;
  }
}
