import { ProtonClient } from '@aws-sdk/client-proton';
import { credentialsForAccount } from '../../../local/local-credentials';
import { LocalProton, LocalProtonOptions, startLocalProton } from '../../../local/proton-endpoint';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** What the endpoint's own tests share: accounts, a server per file, clients that are cleaned up. */
export const MGMT = '111111111111';
export const ENV = '222222222222';
export const REGION = 'us-east-1';

export type SdkError = Error & { $metadata: { httpStatusCode?: number; attempts?: number } };

/** The error a call fails with; fails the test when the call succeeds. */
export async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the call to fail');
}

export interface ClientOptions {
  readonly region?: string;
  /** SDK attempts; the SDK's default (3) when omitted. */
  readonly maxAttempts?: number;
  /** Another server than the file's own. */
  readonly server?: LocalProton;
}

export interface EndpointUnderTest {
  /** The file's server (started before all tests, reset after each, closed after all). */
  readonly proton: LocalProton;
  /** A real SDK client for `account`, destroyed after the test. */
  client(account: string, options?: ClientOptions): ProtonClient;
}

/** Starts one endpoint for the test file and registers its jest hooks. */
export function useEndpointUnderTest(options?: LocalProtonOptions): EndpointUnderTest {
  let proton: LocalProton | undefined;
  const clients: ProtonClient[] = [];
  beforeAll(async () => {
    proton = await startLocalProton(options);
  });
  afterEach(() => {
    clients.splice(0).forEach((c) => c.destroy());
    proton!.admin.reset();
  });
  afterAll(async () => {
    await proton?.close();
  });
  return {
    get proton() {
      return proton!;
    },
    client(account, { region = REGION, maxAttempts, server } = {}) {
      const c = new ProtonClient({ endpoint: (server ?? proton!).url, region, credentials: credentialsForAccount(account), maxAttempts });
      clients.push(c);
      return c;
    },
  };
}
