/**
 * Counts of requests that reached an operation (a known `x-amz-target`), including the ones that
 * were then faulted or failed; faulted ones are also counted separately.
 */

export interface CallCounts {
  /** Every request that reached an operation. */
  readonly total: number;
  /** Per operation. */
  readonly byOperation: Record<string, number>;
  /** Per caller account, then per operation. Requests without a usable identity count under `unauthenticated`. */
  readonly byAccount: Record<string, Record<string, number>>;
  /** Per operation, the requests answered by an injected fault (scripted or random; latency alone does not count). */
  readonly faultedByOperation: Record<string, number>;
  /** Total of `faultedByOperation`. */
  readonly faulted: number;
}

export const UNAUTHENTICATED = 'unauthenticated';

export class CallCounter {
  private total = 0;
  private faulted = 0;
  private readonly byOperation = new Map<string, number>();
  private readonly byAccount = new Map<string, Map<string, number>>();
  private readonly faultedByOperation = new Map<string, number>();

  public record(operation: string, account: string | undefined): void {
    this.total += 1;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
    const key = account ?? UNAUTHENTICATED;
    const perAccount = this.byAccount.get(key) ?? new Map<string, number>();
    perAccount.set(operation, (perAccount.get(operation) ?? 0) + 1);
    this.byAccount.set(key, perAccount);
  }

  public recordFault(operation: string): void {
    this.faulted += 1;
    this.faultedByOperation.set(operation, (this.faultedByOperation.get(operation) ?? 0) + 1);
  }

  public snapshot(): CallCounts {
    const byAccount: Record<string, Record<string, number>> = {};
    for (const [account, ops] of this.byAccount) byAccount[account] = Object.fromEntries(ops);
    return {
      total: this.total,
      byOperation: Object.fromEntries(this.byOperation),
      byAccount,
      faultedByOperation: Object.fromEntries(this.faultedByOperation),
      faulted: this.faulted,
    };
  }

  public reset(): void {
    this.total = 0;
    this.faulted = 0;
    this.byOperation.clear();
    this.byAccount.clear();
    this.faultedByOperation.clear();
  }
}
