import {
  EnvironmentAccountConnectionStatus,
  EnvironmentAccountConnectionSummary,
  paginateListEnvironmentAccountConnections,
  ProtonClient,
} from '@aws-sdk/client-proton';

/** Every connection request addressed to this (management) account with one of `statuses`. */
export async function listRequestsToThisAccount(
  proton: ProtonClient,
  statuses: EnvironmentAccountConnectionStatus[],
): Promise<EnvironmentAccountConnectionSummary[]> {
  const all: EnvironmentAccountConnectionSummary[] = [];
  const pages = paginateListEnvironmentAccountConnections(
    { client: proton, pageSize: 100 },
    { requestedBy: 'MANAGEMENT_ACCOUNT', statuses },
  );
  for await (const page of pages) all.push(...(page.environmentAccountConnections ?? []));
  return all;
}
