import { ProtonClient } from '@aws-sdk/client-proton';
import { credentialsForAccount } from '../../local/local-credentials';
import { LocalProton, LocalProtonOptions, startLocalProton } from '../../local/proton-endpoint';
import { PROTON_MAX_ATTEMPTS, ProtonRetryStrategy } from '../../src/handler-runtime/proton-client';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const MANAGEMENT_ACCOUNT = '111111111111';
export const ENVIRONMENT_ACCOUNT = '222222222222';
export const REGION = 'us-east-1';

/** A Proton client that the local endpoint sees as `account` in `region`. */
export function protonClientFor(endpoint: LocalProton, account: string, options: { region?: string; maxAttempts?: number } = {}): ProtonClient {
  return new ProtonClient({
    endpoint: endpoint.url,
    region: options.region ?? REGION,
    credentials: credentialsForAccount(account),
    // the handlers' own retry strategy (createProtonClient)
    retryStrategy: new ProtonRetryStrategy(options.maxAttempts ?? PROTON_MAX_ATTEMPTS),
  });
}

/** Starts a local endpoint for the test file and resets it before each test. */
export function useLocalProton(options: LocalProtonOptions = {}): () => LocalProton {
  let endpoint: LocalProton | undefined;
  beforeAll(async () => {
    endpoint = await startLocalProton(options);
  });
  beforeEach(() => endpoint!.admin.reset());
  afterAll(async () => endpoint?.close());
  return () => endpoint!;
}

/** `arn:aws:iam::<account>:role/<name>` */
export function roleArn(name: string, account = ENVIRONMENT_ACCOUNT): string {
  return `arn:aws:iam::${account}:role/${name}`;
}
