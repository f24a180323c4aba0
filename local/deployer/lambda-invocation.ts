/**
 * Lambda invocation for the deployer: finds the function a ServiceToken (or a rule target) names, builds the
 * environment Lambda would give its handler (under the stack's account credentials, pointed at the deployer's
 * loopback services, with the deployer's `environment` last), and calls the invoker: synchronously for custom
 * resources (custom-resource-invoker.ts), asynchronously for rule targets (the result is reported, not answered).
 */
import * as fs from 'fs';
import { invokeCustomResource } from './custom-resource-invoker';
import type { CustomResourceResponse } from './custom-resource-invoker';
import type { LambdaFunctionInfo, ResourceState } from './deploy-state';
import { runHandler } from './handler-process';
import type { CustomResourceRequest } from './handler-protocol';
import type { Progress } from './progress';
import { LAMBDA_FUNCTION } from './stack-operation';

/**
 * The loopback services the deployer gives handlers (its SSM endpoint): `open()` starts them for one invocation by
 * the holder of `accessKeyId` (`account`'s) and resolves to the environment variables that point the SDK at them.
 */
export interface LocalServices {
  open(account: string, accessKeyId: string): Promise<{ readonly env: Record<string, string>; close(): void }>;
}

/** What invoking a function needs from the deployer. */
export interface LambdaContext {
  readonly progress: Progress;
  readonly credentialsForAccount: (account: string) => { accessKeyId: string; secretAccessKey: string };
  readonly environment: Record<string, string>;
  readonly duplicateDelivery: boolean;
  readonly handlerTimeoutMs?: number;
  readonly services?: LocalServices;
}

/**
 * The `AWS::Lambda::Function` an Arn (a ServiceToken, a rule target; qualified or not) or a function name names,
 * in the first of `lookups` that has it.
 */
export function findFunction(
  arnOrName: string, ...lookups: Array<Readonly<Record<string, ResourceState>> | ReadonlyMap<string, ResourceState>>
): ResourceState | undefined {
  const unqualified = arnOrName.split(':').slice(0, 7).join(':');
  for (const l of lookups) {
    const values = l instanceof Map ? [...l.values()] : Object.values(l as Readonly<Record<string, ResourceState>>);
    const found = values.find(r => r.type === LAMBDA_FUNCTION && (r.attributes.Arn === unqualified || r.physicalId === arnOrName));
    if (found) return found;
  }
  return undefined;
}

/** Where the function runs: its stack's account and Region, and the stack's label for progress lines. */
export interface FunctionPlace {
  readonly label: string;
  readonly account: string;
  readonly region: string;
}

/** The function's code, checked to be runnable here; throws saying why not (`what` names the reference, `which` what may be run). */
function runnableCode(fn: ResourceState | undefined, place: FunctionPlace, what: string, which: string): LambdaFunctionInfo {
  if (!fn) throw new Error(`${what} is not the Arn of an AWS::Lambda::Function in stack ${place.label} (the local deployer runs only ${which})`);
  const lambda = fn.lambda;
  if (!lambda) throw new Error(`the code of function ${fn.physicalId} was not found in the cloud assembly`);
  if (!lambda.runtime.startsWith('nodejs')) throw new Error(`function ${lambda.functionName} has runtime ${lambda.runtime}; only Node.js handlers can run locally`);
  if (!fs.existsSync(lambda.codeDirectory)) throw new Error(`the code directory ${lambda.codeDirectory} of function ${lambda.functionName} no longer exists`);
  return lambda;
}

/**
 * Runs `invoke` with the environment Lambda gives the function's handler (the deployer's loopback services open
 * meanwhile), the deployer's `environment` last.
 */
async function withHandlerEnvironment<T>(
  ctx: LambdaContext, lambda: LambdaFunctionInfo, place: FunctionPlace, invoke: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const creds = ctx.credentialsForAccount(place.account);
  const services = ctx.services ? await ctx.services.open(place.account, creds.accessKeyId) : undefined;
  try {
    return await invoke(handlerEnvironment(ctx, lambda, place, creds, services?.env ?? {}));
  } finally {
    services?.close();
  }
}

function handlerEnvironment(
  ctx: LambdaContext, lambda: LambdaFunctionInfo, place: FunctionPlace,
  creds: { accessKeyId: string; secretAccessKey: string }, servicesEnv: Record<string, string>,
): Record<string, string> {
  return {
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    ...lambda.environment,
    AWS_REGION: place.region,
    AWS_DEFAULT_REGION: place.region,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: lambda.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(lambda.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(lambda.timeoutSeconds),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${lambda.functionName}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${lambda.runtime}`,
    LAMBDA_TASK_ROOT: lambda.codeDirectory,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...servicesEnv,
    ...ctx.environment,
  };
}

/** The function's Timeout in ms, capped by `handlerTimeoutMs`. */
function timeoutOf(ctx: LambdaContext, lambda: LambdaFunctionInfo): number {
  return Math.min(lambda.timeoutSeconds * 1000, ctx.handlerTimeoutMs ?? Infinity);
}

/** One custom resource request of a stack operation, and the function its ServiceToken names. */
export interface CustomResourceCall extends FunctionPlace, Omit<CustomResourceRequest, 'serviceToken'> {
  readonly fn: ResourceState | undefined;
}

/** Runs a custom resource's handler for one request; throws when it cannot be run at all. */
export async function invokeCustomResourceHandler(ctx: LambdaContext, call: CustomResourceCall): Promise<CustomResourceResponse> {
  const token = String(call.properties.ServiceToken);
  const lambda = runnableCode(call.fn, call, `ServiceToken ${token}`, 'Lambda-backed custom resources whose function is in the same stack');
  const deliveries = ctx.duplicateDelivery ? 2 : 1;
  const result = await withHandlerEnvironment(ctx, lambda, call, env => invokeCustomResource({
    requestType: call.requestType,
    serviceToken: token,
    stackId: call.stackId,
    logicalId: call.logicalId,
    resourceType: call.resourceType,
    properties: call.properties,
    oldProperties: call.oldProperties,
    physicalId: call.physicalId,
    fn: lambda,
    region: call.region,
    env,
    timeoutMs: timeoutOf(ctx, lambda),
    deliveries,
    onOutput: (line, delivery) => ctx.progress.handlerOutput(call.label, deliveries > 1 ? `${call.logicalId}#${delivery}` : call.logicalId, line),
  }));
  for (const ignored of result.ignoredResponses) {
    ctx.progress.note(call.label, `${call.logicalId}: duplicate delivery of ${call.requestType} (RequestId ${result.event.RequestId}): ignored later response `
      + `${ignored.status}${ignored.physicalId ? ` PhysicalResourceId=${ignored.physicalId}` : ''}${ignored.reason ? ` Reason=${ignored.reason}` : ''}`);
  }
  return result.response;
}

/** One asynchronous invocation (`InvocationType: Event`), as EventBridge makes them. */
export interface AsyncInvocation extends FunctionPlace {
  /** What the output lines are labelled with (the rule's logical id). */
  readonly source: string;
  /** What names the function (for the error when it cannot be run). */
  readonly what: string;
  readonly fn: ResourceState | undefined;
  readonly event: unknown;
}

export type AsyncInvocationResult =
  | { readonly ok: true; readonly result: unknown }
  /** `delivered: false`: the function could not be run at all (nothing ran). */
  | { readonly ok: false; readonly delivered: boolean; readonly error: string };

/** Runs a function's handler once on an event and reports how it ended (its result, or its error as Lambda reports it). */
export async function invokeAsync(ctx: LambdaContext, call: AsyncInvocation): Promise<AsyncInvocationResult> {
  let lambda: LambdaFunctionInfo;
  try {
    lambda = runnableCode(call.fn, call, call.what, 'rule targets that are Lambda functions of the rule\'s stack');
  } catch (err) {
    return { ok: false, delivered: false, error: err instanceof Error ? err.message : String(err) };
  }
  const timeoutMs = timeoutOf(ctx, lambda);
  const run = await withHandlerEnvironment(ctx, lambda, call, env => runHandler({
    fn: lambda,
    event: call.event,
    env,
    timeoutMs,
    copies: 1,
    reportResult: true,
    onOutput: line => ctx.progress.handlerOutput(call.label, call.source, line),
  }));
  const [report] = run.reports;
  if (report?.ok) return { ok: true, result: report.result };
  if (report) return { ok: false, delivered: true, error: `${report.errorType}: ${report.errorMessage}` };
  if (run.killedAtTimeout) return { ok: false, delivered: true, error: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` };
  return {
    ok: false,
    delivered: true,
    error: `Runtime.ExitError: the handler process exited (exit code ${run.exitCodes.join(', ')}) before its handler settled`
      + (run.lastError !== undefined ? `; last error output: ${run.lastError}` : ''),
  };
}
