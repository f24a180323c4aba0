import type { ProtonClient } from '@aws-sdk/client-proton';

/** What a custom resource lifecycle needs from its environment; tests pass a client for the local endpoint. */
export interface LifecycleDeps {
  readonly proton: ProtonClient;
  readonly log?: (line: string) => void;
  /** Delays between polls while waiting. */
  readonly poll?: { readonly initialDelayMs: number; readonly maxDelayMs: number };
}
