/**
 * EventBridge-shaped records of connection status changes. Which account's default bus receives
 * Proton's event is undocumented; the local endpoint records one event per party (the environment
 * account's bus and the management account's bus), each with `account` set to the receiving account.
 */
import { randomUUID } from 'node:crypto';
import { ConnectionStatus } from '../../src/shared/proton-patterns';

export const EVENT_SOURCE = 'aws.proton';
export const EVENT_DETAIL_TYPE = 'AWS Proton Environment Account Connection Status Change';

export type EventStatus = ConnectionStatus | 'DELETED';

export interface ConnectionStatusChangeEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': typeof EVENT_DETAIL_TYPE;
  readonly 'source': typeof EVENT_SOURCE;
  /** The account whose default event bus receives this copy. */
  readonly 'account': string;
  /** ISO-8601 time, as EventBridge sends it. */
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': string[];
  readonly 'detail': {
    readonly id: string;
    readonly status: EventStatus;
    /** Absent on creation (there is no previous status). */
    readonly previousStatus?: ConnectionStatus;
  };
}

export interface StatusChange {
  readonly connectionId: string;
  readonly arn: string;
  readonly region: string;
  readonly environmentAccountId: string;
  readonly managementAccountId: string;
  readonly status: EventStatus;
  readonly previousStatus?: ConnectionStatus;
  readonly at: Date;
}

export class EventLog {
  private readonly entries: ConnectionStatusChangeEvent[] = [];

  /** Records the change once per receiving account (environment account first, then management account). */
  public record(change: StatusChange): void {
    for (const account of [change.environmentAccountId, change.managementAccountId]) {
      const detail = change.previousStatus === undefined
        ? { id: change.connectionId, status: change.status }
        : { id: change.connectionId, status: change.status, previousStatus: change.previousStatus };
      this.entries.push({
        'version': '0',
        'id': randomUUID(),
        'detail-type': EVENT_DETAIL_TYPE,
        'source': EVENT_SOURCE,
        account,
        'time': change.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'region': change.region,
        'resources': [change.arn],
        detail,
      });
    }
  }

  /** All events in order, optionally only those delivered to `account`. Returns copies. */
  public list(filter: { account?: string; connectionId?: string } = {}): ConnectionStatusChangeEvent[] {
    return this.entries
      .filter((e) => (filter.account === undefined || e.account === filter.account)
        && (filter.connectionId === undefined || e.detail.id === filter.connectionId))
      .map((e) => JSON.parse(JSON.stringify(e)));
  }

  public clear(): void {
    this.entries.length = 0;
  }
}
