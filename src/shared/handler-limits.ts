/**
 * How long the handlers may run, and so how long a deployment may wait in them. One source for
 * the constructs (the function's timeout, synth-time bounds) and the handlers (deploy-time
 * bounds): no aws-cdk-lib import, because the handlers bundle this module.
 */

/** Lambda stops a function after at most 15 minutes; every handler of this library gets all of it. */
export const HANDLER_TIMEOUT_SECONDS = 15 * 60;

/**
 * Time a handler keeps back from its timeout when it has waited as long as it may: for the
 * calls after the last poll (a final listing and accept, each with its SDK retries) and for
 * answering CloudFormation, whose custom resource runner stops the lifecycle `RESPONSE_MARGIN_MS`
 * (10 s) before Lambda's end in any case to send the response.
 */
export const WAIT_MARGIN_SECONDS = 60;

/** The longest wait a handler accepts (a connection's acceptance, an acceptor's requests): 14 minutes. */
export const MAX_WAIT_SECONDS = HANDLER_TIMEOUT_SECONDS - WAIT_MARGIN_SECONDS;

/** The wait when none is given: 10 minutes. */
export const DEFAULT_WAIT_SECONDS = 10 * 60;
