/**
 * The shapes of one Lambda invocation, from the deployer's request to what the handler process receives. Types only:
 * the handler runner (handler-runner.js, plain CommonJS for plain `node`) imports them in JSDoc, so that the parent
 * and the child agree on one definition.
 *
 * A custom resource request has one shape, CloudFormation's event (`CloudFormationCustomResourceEvent` of the
 * `aws-lambda` types); the others are derived from it: `CustomResourceRequest` is the event before the invoker gives
 * it a ResponseURL and a RequestId, and `RunnerPayload<CustomResourceEvent>` is what the runner hands the handler.
 */
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceUpdateEvent, Context } from 'aws-lambda';

/** The event CloudFormation sends to a custom resource provider (property values are all strings, as CloudFormation sends them). */
export type CustomResourceEvent = CloudFormationCustomResourceEvent;

export type RequestType = CustomResourceEvent['RequestType'];

/** Resource properties, the ServiceToken made optional (the invoker is also called without one). */
type Properties<T> = Omit<T, 'ServiceToken'> & { readonly ServiceToken?: unknown };

/** What the invoker adds to a request to make it an event. */
type AddedByTheInvoker = 'ResponseURL' | 'RequestId';

/** The request fields of the event, as the deployer names them (the event without what the invoker adds). */
export interface CustomResourceRequest {
  readonly requestType: RequestType;
  readonly serviceToken: CustomResourceEvent['ServiceToken'];
  readonly stackId: CustomResourceEvent['StackId'];
  readonly logicalId: CustomResourceEvent['LogicalResourceId'];
  readonly resourceType: CustomResourceEvent['ResourceType'];
  /** `ResourceProperties`, as sent (with the template's ServiceToken, which the type does not insist on). */
  readonly properties: Properties<CustomResourceEvent['ResourceProperties']>;
  /** `OldResourceProperties`: sent with Update only. */
  readonly oldProperties?: Properties<CloudFormationCustomResourceUpdateEvent['OldResourceProperties']>;
  /** `PhysicalResourceId`: sent with Update and Delete (every type but Create). */
  readonly physicalId?: CloudFormationCustomResourceUpdateEvent['PhysicalResourceId'];
}

/** The event of a request, with the invoker's ResponseURL and RequestId. */
export function customResourceEvent(req: CustomResourceRequest, added: Pick<CustomResourceEvent, AddedByTheInvoker>): CustomResourceEvent {
  return {
    RequestType: req.requestType,
    ServiceToken: req.serviceToken,
    ResponseURL: added.ResponseURL,
    StackId: req.stackId,
    RequestId: added.RequestId,
    LogicalResourceId: req.logicalId,
    ResourceType: req.resourceType,
    ResourceProperties: req.properties as CustomResourceEvent['ResourceProperties'],
    ...(req.requestType === 'Update' ? { OldResourceProperties: req.oldProperties ?? {} } : {}),
    // every type but Create (the request type is not checked here: the handler answers unknown ones)
    ...(req.requestType !== 'Create' ? { PhysicalResourceId: req.physicalId } : {}),
  } as CustomResourceEvent;
}

/** The serializable part of the Lambda context (the runner adds the methods). */
export type RunnerContext = Pick<Context,
  'functionName' | 'functionVersion' | 'invokedFunctionArn' | 'memoryLimitInMB' | 'awsRequestId' | 'logGroupName' | 'logStreamName'>;

/** What the handler runner reads from its stdin (JSON). */
export interface RunnerPayload<TEvent = unknown> {
  readonly event: TEvent;
  readonly context: RunnerContext;
  /** `<module>.<export>`, as in the function's Handler property. */
  readonly handler: string;
  /** Absolute directory of the function's code. */
  readonly codeDirectory: string;
  /** Epoch ms at which the function times out (`context.getRemainingTimeInMillis()`). */
  readonly deadline: number;
  /**
   * The loopback host and port of the custom resource response server: `https` requests to this host (any port,
   * or none) go to `http://<responseHost>:<responsePort>`. Absent for invocations without a ResponseURL.
   */
  readonly responseHost?: string;
  readonly responsePort?: number;
  /**
   * A file descriptor on which the runner writes a `RunnerResult` (JSON) before it exits: how the parent learns the
   * handler's result or error, for asynchronous invocations. Absent: nothing is written.
   */
  readonly resultFd?: number;
}

/** What the runner reports on `resultFd`: the handler's result, or its error as Lambda reports a function error. */
export type RunnerResult =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };
