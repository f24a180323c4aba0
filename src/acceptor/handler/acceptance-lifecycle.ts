import { createHash } from 'crypto';
import { EnvironmentAccountConnectionSummary } from '@aws-sdk/client-proton';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AcceptanceProperty, AcceptanceSpec, connectionIdAttribute, parseAcceptanceSpec } from '../acceptor-contract';
import { AllowList, decodePair, encodePair } from '../allow-list';
import { listRequestsToThisAccount } from './connection-listing';
import { acceptRequest } from './request-decisions';
import { CustomResourceOutcome } from '../../handler-runtime/cfn-response';
import { CustomResourceFailure } from '../../handler-runtime/custom-resource-runner';
import { LifecycleDeps } from '../../handler-runtime/lifecycle-deps';
import { DEFAULT_POLL, pollUntil } from '../../handler-runtime/polling';
import { describeError } from '../../handler-runtime/proton-errors';
import { parseStackArn } from '../../handler-runtime/stack-arn';
import { END_OF_SUPPORT_ATTRIBUTE_VALUE, END_OF_SUPPORT_CONTEXT_KEY } from '../../shared/end-of-support';


/**
 * Create and Update: wait (bounded) for each allow-listed pair's request and accept it, and
 * accept the pending requests of account-wide entries and listed pairs when found. Delete:
 * nothing, and no Proton call; a management account cannot delete a connection, and removing
 * an entry never rejects one. With the end-of-support switch, Update makes no call either.
 */
export async function onAcceptanceEvent(
  event: CloudFormationCustomResourceEvent,
  deadline: number,
  deps: LifecycleDeps,
): Promise<CustomResourceOutcome> {
  const log = deps.log ?? console.log;
  if (event.RequestType === 'Delete') {
    log('acceptor entries removed: accepted connections stay as they are (a management account cannot delete a connection, and removal never rejects)');
    return { physicalResourceId: event.PhysicalResourceId };
  }
  const physicalResourceId = event.RequestType === 'Create' ? acceptancePhysicalId(event) : event.PhysicalResourceId;
  // this (management) account: an entry naming it, which a token hid at synth, is refused here
  const spec = parseAcceptanceSpec(event.ResourceProperties, parseStackArn(event.StackId).account);
  if (spec.entries.pairs.length + spec.entries.accounts.length + spec.listedPairs.length === 0) {
    if (spec.trustsOrganizationalUnits) {
      log('nothing to accept at deploy: the trusted organizational units\' requests are accepted by the continuous sweep (on Proton\'s events and on the schedule)');
      return { physicalResourceId };
    }
    throw new CustomResourceFailure(`nothing to accept: the resource lists no ${AcceptanceProperty.pairs}, ${AcceptanceProperty.listedPairs} or ${AcceptanceProperty.accounts}. Give the EnvironmentAccountConnectionAcceptor expected connections, trusted accounts or trusted organizational units.`);
  }
  if (spec.endOfSupport) {
    if (event.RequestType === 'Create') {
      throw new CustomResourceFailure(`${END_OF_SUPPORT_CONTEXT_KEY} is on: AWS Proton has reached its end of support, so there is nothing to accept. Remove this acceptor from the stack, or deploy without the switch against a Proton-compatible endpoint.`);
    }
    log(`${END_OF_SUPPORT_CONTEXT_KEY} is on: not calling AWS Proton; the accepted connection ids read ${END_OF_SUPPORT_ATTRIBUTE_VALUE} from now on`);
    const data = Object.fromEntries(spec.entries.pairs.map((_pair, index) => [connectionIdAttribute(index), END_OF_SUPPORT_ATTRIBUTE_VALUE]));
    return { physicalResourceId, data };
  }
  const accepted = await acceptAll(spec, deadline, deps, log);
  const data: Record<string, string> = {};
  spec.entries.pairs.forEach((pair, index) => (data[connectionIdAttribute(index)] = accepted.get(pair)!));
  return { physicalResourceId, data };
}

/** A stable physical id per stack and resource: updates never look like replacements. */
export function acceptancePhysicalId(event: CloudFormationCustomResourceEvent): string {
  const digest = createHash('sha256').update(`${event.StackId}\n${event.LogicalResourceId}`).digest('hex').slice(0, 24);
  return `proton-connection-acceptance-${digest}`;
}

async function acceptAll(spec: AcceptanceSpec, deadline: number, deps: LifecycleDeps, log: (line: string) => void): Promise<Map<string, string>> {
  const { proton } = deps;
  const region = await proton.config.region();
  const accepted = new Map<string, string>();
  // accepted when found, not waited for
  const whenFound = new AllowList({ pairs: spec.listedPairs, accounts: spec.entries.accounts });
  const bound = Math.min(deadline, Date.now() + spec.waitTimeoutSeconds * 1000);
  let waitingLogged = false;

  const done = await pollUntil(async () => {
    const requests = await listRequestsToThisAccount(proton, ['PENDING', 'CONNECTED', 'REJECTED']);
    for (const request of requests) {
      if (request.status === 'PENDING' && whenFound.allows(request)) {
        await accept(request, deps, log);
      }
    }
    for (const pair of spec.entries.pairs) {
      if (accepted.has(pair)) continue;
      const id = await settlePair(pair, requests, deps, log, region);
      if (id) accepted.set(pair, id);
    }
    const missing = spec.entries.pairs.filter((pair) => !accepted.has(pair));
    if (missing.length === 0) return true;
    if (!waitingLogged) {
      log(`waiting up to ${Math.max(0, Math.round((bound - Date.now()) / 1000))} s for requests from ${missing.join(', ')}`);
      waitingLogged = true;
    }
    return undefined;
  }, { ...(deps.poll ?? DEFAULT_POLL), deadline: bound });

  if (!done) {
    const missing = spec.entries.pairs.filter((pair) => !accepted.has(pair)).map(decodePair);
    const names = missing.map((m) => `environment "${m.environmentName}" of account ${m.environmentAccountId}`).join(', ');
    throw new CustomResourceFailure(
      `no connection request arrived within ${spec.waitTimeoutSeconds} s in ${region} for ${names}. Deploy the environment account's stack (its EnvironmentAccountConnection) first, in the same Region, then deploy this stack again.`,
    );
  }
  return accepted;
}

/** The pair's connection id once CONNECTED (accepting a PENDING request); undefined while none exists. */
async function settlePair(
  pair: string,
  requests: EnvironmentAccountConnectionSummary[],
  deps: LifecycleDeps,
  log: (line: string) => void,
  region: string,
): Promise<string | undefined> {
  const mine = requests.filter((request) => encodePair(request.environmentAccountId!, request.environmentName!) === pair);
  const connected = mine.find((request) => request.status === 'CONNECTED');
  if (connected) return connected.id;
  const pending = mine.find((request) => request.status === 'PENDING');
  if (pending) return (await accept(pending, deps, log)) ? pending.id : undefined;
  const rejected = mine.find((request) => request.status === 'REJECTED');
  if (rejected) {
    const { environmentAccountId, environmentName } = decodePair(pair);
    throw new CustomResourceFailure(
      `the connection request ${rejected.id} from account ${environmentAccountId} for environment "${environmentName}" in ${region} was REJECTED, and a rejected request can never be accepted. The environment account must file a new request: set replaceRejected: true on its EnvironmentAccountConnection (or ProtonEnvironmentLink) and deploy its stack, which files a new request in place of the rejected one; then deploy this stack again.`,
    );
  }
  return undefined;
}

/** Accepts one request (see `acceptRequest`): false when it changed meanwhile, and the next poll looks again. */
async function accept(request: EnvironmentAccountConnectionSummary, deps: LifecycleDeps, log: (line: string) => void): Promise<boolean> {
  try {
    return await acceptRequest(deps.proton, request, log);
  } catch (error) {
    throw new CustomResourceFailure(`could not accept connection ${request.id}: ${describeError(error)}`, undefined, error);
  }
}
