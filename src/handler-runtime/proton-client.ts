import { ProtonClient } from '@aws-sdk/client-proton';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { serviceGoneSymptom } from './service-reachability';

/**
 * Retries that let a handler converge under sustained throttling: the SDK's default of 3
 * attempts fails a few percent of calls when 30 % are throttled.
 */
export const PROTON_MAX_ATTEMPTS = 10;

/**
 * The SDK's adaptive retries, except for answers that say the service is gone (a hostname that
 * does not resolve, an answer outside Proton's API): those reach the handler at once, which
 * retries them for a short bound of its own (`withServiceGoneBound`) instead of ten SDK attempts.
 */
export class ProtonRetryStrategy implements RetryStrategyV2 {
  /** The SDK's adaptive strategy that every other answer goes to. */
  public readonly adaptive: AdaptiveRetryStrategy;

  constructor(maxAttempts: number = PROTON_MAX_ATTEMPTS) {
    this.adaptive = new AdaptiveRetryStrategy(maxAttempts);
  }

  public acquireInitialRetryToken(retryTokenScope: string): Promise<RetryToken> {
    return this.adaptive.acquireInitialRetryToken(retryTokenScope);
  }

  public refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    if (serviceGoneSymptom(errorInfo.error)) return Promise.reject(errorInfo.error);
    return this.adaptive.refreshRetryTokenForRetry(token as Parameters<AdaptiveRetryStrategy['refreshRetryTokenForRetry']>[0], errorInfo);
  }

  public recordSuccess(token: RetryToken): void {
    this.adaptive.recordSuccess(token as Parameters<AdaptiveRetryStrategy['recordSuccess']>[0]);
  }
}

/**
 * A Proton client for the Lambda's own Region and credentials. The endpoint follows the
 * SDK's standard configuration (`AWS_ENDPOINT_URL_PROTON`, then `AWS_ENDPOINT_URL`).
 */
export function createProtonClient(): ProtonClient {
  return new ProtonClient({ retryStrategy: new ProtonRetryStrategy() });
}
