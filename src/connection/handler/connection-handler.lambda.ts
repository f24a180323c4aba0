import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { onConnectionEvent } from './connection-lifecycle';
import { runCustomResource } from '../../handler-runtime/custom-resource-runner';
import { createProtonClient } from '../../handler-runtime/proton-client';

let proton: ReturnType<typeof createProtonClient> | undefined;

/** Lambda entry point of the `EnvironmentAccountConnection` custom resource. */
export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  proton ??= createProtonClient();
  const client = proton;
  await runCustomResource(event, context, (request, deadline) => onConnectionEvent(request, deadline, { proton: client }));
}
