import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CustomResourceOutcome, MAX_RESPONSE_BYTES, fitReason, sendCfnResponse } from './cfn-response';
import { ServiceGoneError, serviceGoneBoundMs, withServiceGoneBound } from './service-reachability';
import { END_OF_SUPPORT_ADVICE, END_OF_SUPPORT_DATE } from '../shared/end-of-support';

/** A failure that knows which physical id CloudFormation should record for the resource. */
export class CustomResourceFailure extends Error {
  constructor(message: string, public readonly physicalResourceId?: string, public readonly cause?: unknown) {
    super(message);
    this.name = 'CustomResourceFailure';
  }
}

const RETRYABLE_ERROR_NAMES = new Set([
  'ThrottlingException', 'InternalServerException', 'ServiceUnavailableException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException',
]);
// ENOTFOUND is not here: a name that does not resolve is the service gone (service-reachability.ts).
const RETRYABLE_ERROR_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN', 'ECONNABORTED']);

/** Whether a failure (or the error behind it) is transient: the whole lifecycle step may run again. */
export function isTransient(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof ServiceGoneError) return false;
    const candidate = current as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number }; cause?: unknown };
    if (candidate.name && RETRYABLE_ERROR_NAMES.has(candidate.name)) return true;
    if (candidate.code && RETRYABLE_ERROR_CODES.has(candidate.code)) return true;
    if (candidate.$retryable) return true;
    if ((candidate.$metadata?.httpStatusCode ?? 0) >= 500) return true;
    current = candidate.cause;
  }
  return false;
}

/** Delays between whole-step retries after the SDK's own retries gave up. */
const STEP_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 20_000];

/** The request types CloudFormation sends to a custom resource. */
const REQUEST_TYPES: ReadonlySet<string> = new Set(['Create', 'Update', 'Delete']);

/** Physical id reported when a Create fails before the resource owns anything. */
export function notCreatedPhysicalId(event: CloudFormationCustomResourceEvent): string {
  return `not-created-${event.RequestId}`;
}

/** Time kept back to report a failure before Lambda stops the function. */
export const RESPONSE_MARGIN_MS = 10_000;

/** How the runner logs and how long it gives a service that looks gone. */
export interface RunnerOptions {
  readonly log?: (line: string) => void;
  /** Default: `serviceGoneBoundMs()` (45 s, or shorter from the environment). */
  readonly serviceGoneBoundMs?: number;
}

/**
 * Runs one CloudFormation custom resource event through `lifecycle` and always answers
 * CloudFormation: SUCCESS with the outcome, or FAILED with a reason that names the resource.
 * A failure keeps the physical id CloudFormation already knows (Update/Delete), the one the
 * error names, or, for a Create, a placeholder that owns nothing, so the rollback Delete
 * touches nothing. An unknown request type fails with no side effect. A Delete succeeds when
 * the service is gone (AWS Proton's end of support): nothing of the resource can exist there.
 */
export async function runCustomResource(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  lifecycle: (event: CloudFormationCustomResourceEvent, deadline: number) => Promise<CustomResourceOutcome>,
  options: RunnerOptions = {},
): Promise<void> {
  const log = options.log ?? console.log;
  const deadline = Date.now() + Math.max(0, context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS);
  const physicalId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined;
  log(`${event.RequestType} ${event.LogicalResourceId} (${event.ResourceType}) physical id ${physicalId ?? '-'}`);
  try {
    if (!REQUEST_TYPES.has(event.RequestType)) {
      throw new CustomResourceFailure(`unknown request type ${JSON.stringify(event.RequestType)}: a custom resource answers only Create, Update and Delete; nothing was done`);
    }
    const boundMs = options.serviceGoneBoundMs ?? serviceGoneBoundMs();
    const outcome = await retryTransient(() => withServiceGoneBound(() => lifecycle(event, deadline), { boundMs, deadline, log }), deadline, log)
      .catch((error: unknown): CustomResourceOutcome => {
        if (!(error instanceof ServiceGoneError)) throw error;
        if (event.RequestType === 'Delete') {
          log(`AWS Proton is gone (${error.symptom}): AWS deleted Proton's data, and with it whatever this resource filed, at its end of support on ${END_OF_SUPPORT_DATE}. Nothing left to delete.`);
          return { physicalResourceId: event.PhysicalResourceId };
        }
        throw new CustomResourceFailure(`${error.message}. ${END_OF_SUPPORT_ADVICE}`, undefined, error);
      });
    const data = outcome.data ?? {};
    if (JSON.stringify(data).length > MAX_RESPONSE_BYTES - 1024) {
      throw new CustomResourceFailure('the resource returned more attributes than CloudFormation accepts (4 KB response)', outcome.physicalResourceId);
    }
    log(`SUCCESS ${outcome.physicalResourceId} ${JSON.stringify(data)}`);
    await sendCfnResponse(event, { Status: 'SUCCESS', PhysicalResourceId: outcome.physicalResourceId, Data: data });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failedId = (error instanceof CustomResourceFailure && error.physicalResourceId) || physicalId || notCreatedPhysicalId(event);
    const reason = fitReason(event, failedId, `${event.LogicalResourceId} (${event.ResourceType}): ${message}`);
    log(`FAILED ${failedId}: ${message}`);
    await sendCfnResponse(event, { Status: 'FAILED', Reason: reason, PhysicalResourceId: failedId });
  }
}

/**
 * Runs a lifecycle step again when it failed transiently (the SDK already retried each call),
 * while the deadline allows. Safe because every step is idempotent: Create reuses its
 * deterministic client token, Update and Delete converge to the same state.
 */
async function retryTransient<T>(step: () => Promise<T>, deadline: number, log: (line: string) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const delay = STEP_RETRY_DELAYS_MS[Math.min(attempt, STEP_RETRY_DELAYS_MS.length - 1)];
      if (!isTransient(error) || Date.now() + delay >= deadline) throw error;
      log(`transient failure (${error instanceof Error ? error.message : String(error)}); running the step again in ${delay / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
