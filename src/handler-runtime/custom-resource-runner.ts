import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CustomResourceOutcome, MAX_RESPONSE_BYTES, sendCfnResponse } from './cfn-response';

/** A failure that knows which physical id CloudFormation should record for the resource. */
export class CustomResourceFailure extends Error {
  constructor(message: string, public readonly physicalResourceId?: string) {
    super(message);
    this.name = 'CustomResourceFailure';
  }
}

/** Physical id reported when a Create fails before the resource owns anything. */
export function notCreatedPhysicalId(event: CloudFormationCustomResourceEvent): string {
  return `not-created-${event.RequestId}`;
}

/** Time kept back to report a failure before Lambda stops the function. */
export const RESPONSE_MARGIN_MS = 10_000;

/**
 * Runs one CloudFormation custom resource event through `lifecycle` and always answers
 * CloudFormation: SUCCESS with the outcome, or FAILED with the error's message. A failure
 * keeps the physical id CloudFormation already knows (Update/Delete), the one the error names,
 * or, for a Create, a placeholder that owns nothing, so the rollback Delete touches nothing.
 */
export async function runCustomResource(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  lifecycle: (event: CloudFormationCustomResourceEvent, deadline: number) => Promise<CustomResourceOutcome>,
  log: (line: string) => void = console.log,
): Promise<void> {
  const deadline = Date.now() + Math.max(0, context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS);
  const physicalId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined;
  log(`${event.RequestType} ${event.LogicalResourceId} (${event.ResourceType}) physical id ${physicalId ?? '-'}`);
  try {
    const outcome = await lifecycle(event, deadline);
    const data = outcome.data ?? {};
    if (JSON.stringify(data).length > MAX_RESPONSE_BYTES - 1024) {
      throw new CustomResourceFailure('the resource returned more attributes than CloudFormation accepts (4 KB response)', outcome.physicalResourceId);
    }
    log(`SUCCESS ${outcome.physicalResourceId} ${JSON.stringify(data)}`);
    await sendCfnResponse(event, { Status: 'SUCCESS', PhysicalResourceId: outcome.physicalResourceId, Data: data });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failedId = (error instanceof CustomResourceFailure && error.physicalResourceId) || physicalId || notCreatedPhysicalId(event);
    log(`FAILED ${failedId}: ${message}`);
    await sendCfnResponse(event, { Status: 'FAILED', Reason: truncate(message, 1000), PhysicalResourceId: failedId });
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
