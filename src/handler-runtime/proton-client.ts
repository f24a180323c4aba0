import { ProtonClient } from '@aws-sdk/client-proton';

/**
 * Retries that let a handler converge under sustained throttling: the SDK's default of 3
 * attempts fails a few percent of calls when 30 % are throttled.
 */
export const PROTON_MAX_ATTEMPTS = 10;

/**
 * A Proton client for the Lambda's own Region and credentials. The endpoint follows the
 * SDK's standard configuration (`AWS_ENDPOINT_URL_PROTON`, then `AWS_ENDPOINT_URL`).
 */
export function createProtonClient(): ProtonClient {
  return new ProtonClient({ maxAttempts: PROTON_MAX_ATTEMPTS, retryMode: 'adaptive' });
}
