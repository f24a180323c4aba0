import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { onAcceptanceEvent } from './acceptance-lifecycle';
import { isSweepRequest } from '../acceptor-contract';
import { loadAllowListFromParameters } from './allow-list-parameters';
import { sweep, SweepResult } from './continuous-sweep';
import { runCustomResource } from '../../handler-runtime/custom-resource-runner';
import { createProtonClient } from '../../handler-runtime/proton-client';
import { createOrganizationsClient } from '../../organization/handler/trusted-accounts';

let proton: ReturnType<typeof createProtonClient> | undefined;
let ssm: SSMClient | undefined;
let organizations: OrganizationsClient | undefined;

/**
 * Lambda entry point of the `EnvironmentAccountConnectionAcceptor`: CloudFormation custom
 * resource events (accept the allow-listed requests at deploy), or a sweep request from the
 * continuous-acceptance schedule or Proton event rule.
 */
export async function handler(event: CloudFormationCustomResourceEvent | unknown, context: Context): Promise<SweepResult | void> {
  proton ??= createProtonClient();
  const client = proton;
  if (isSweepRequest(event)) {
    ssm ??= new SSMClient({ maxAttempts: 10, retryMode: 'adaptive' });
    const parameters = ssm;
    return sweep(event, {
      proton: client,
      loadAllowList: (path) => loadAllowListFromParameters(parameters, path),
      organizations: () => (organizations ??= createOrganizationsClient()),
    });
  }
  await runCustomResource(event as CloudFormationCustomResourceEvent, context, (request, deadline) =>
    onAcceptanceEvent(request, deadline, { proton: client }));
}
