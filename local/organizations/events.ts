/**
 * What happened to the organization through the admin API, twice over:
 * - `OrganizationChange`: one plain record per admin change (what a local consumer such as StackSet
 *   auto-deployment needs: an account joined, moved, changed status, left; an OU was created);
 * - `OrganizationsCloudTrailEvent`: the EventBridge events AWS delivers for the same changes on the default bus, in
 *   us-east-1 (Organizations is global; its CloudTrail events are recorded there), of the account that made the call:
 *   the management account, except for AcceptHandshake and LeaveOrganization (the member account):
 *   `source: aws.organizations`, detail-type `AWS API Call via CloudTrail` (MoveAccount, CloseAccount,
 *   RemoveAccountFromOrganization, LeaveOrganization, AcceptHandshake, CreateOrganizationalUnit) or
 *   `AWS Service Event via CloudTrail` (CreateAccountResult). Only the detail members a rule would match on are
 *   filled in (eventSource, eventName, eventType, requestParameters, responseElements, serviceEventDetails).
 */
import { randomUUID } from 'node:crypto';
import { OrganizationAccountJoinedMethod, OrganizationAccountStatus } from './document';
import { derivedIdPart } from './ids';

export type OrganizationChange =
  | { readonly kind: 'AccountJoined'; readonly at: string; readonly accountId: string; readonly parent: string; readonly rootId: string; readonly joinedMethod: OrganizationAccountJoinedMethod; readonly status: OrganizationAccountStatus }
  | { readonly kind: 'AccountMoved'; readonly at: string; readonly accountId: string; readonly from: string; readonly to: string }
  | { readonly kind: 'AccountStatusChanged'; readonly at: string; readonly accountId: string; readonly from: OrganizationAccountStatus; readonly to: OrganizationAccountStatus }
  | { readonly kind: 'AccountRemoved'; readonly at: string; readonly accountId: string; readonly parent: string; readonly how: 'removed' | 'left' }
  | { readonly kind: 'OrganizationalUnitCreated'; readonly at: string; readonly organizationalUnitId: string; readonly name: string; readonly parent: string };

export type OrganizationChangeKind = OrganizationChange['kind'];

export const ORGANIZATIONS_EVENT_SOURCE = 'aws.organizations';
export const ORGANIZATIONS_EVENT_REGION = 'us-east-1';

export interface OrganizationsCloudTrailEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': 'AWS API Call via CloudTrail' | 'AWS Service Event via CloudTrail';
  readonly 'source': typeof ORGANIZATIONS_EVENT_SOURCE;
  /** The account that made the call (whose bus receives the event). */
  readonly 'account': string;
  readonly 'time': string;
  readonly 'region': typeof ORGANIZATIONS_EVENT_REGION;
  readonly 'resources': string[];
  readonly 'detail': {
    readonly eventVersion: '1.08';
    readonly eventSource: 'organizations.amazonaws.com';
    readonly eventName: string;
    readonly eventType: 'AwsApiCall' | 'AwsServiceEvent';
    readonly eventTime: string;
    readonly awsRegion: typeof ORGANIZATIONS_EVENT_REGION;
    readonly eventID: string;
    readonly recipientAccountId: string;
    readonly readOnly: false;
    readonly managementEvent: true;
    readonly eventCategory: 'Management';
    readonly requestParameters?: Record<string, unknown>;
    readonly responseElements?: Record<string, unknown>;
    readonly serviceEventDetails?: Record<string, unknown>;
  };
}

export interface OrganizationEventFilter {
  readonly accountId?: string;
  readonly kind?: OrganizationChangeKind;
}

export class OrganizationChangeLog {
  private readonly changes: Array<{ change: OrganizationChange; events: OrganizationsCloudTrailEvent[] }> = [];
  private readonly listeners = new Set<(change: OrganizationChange) => void>();

  constructor(private readonly context: () => { managementAccountId: string; organizationId: string }) {}

  public record(change: OrganizationChange): void {
    const events = this.eventsFor(change);
    this.changes.push({ change, events });
    for (const listener of [...this.listeners]) listener(JSON.parse(JSON.stringify(change)));
  }

  public list(filter: OrganizationEventFilter = {}): OrganizationChange[] {
    return this.matching(filter).map((c) => JSON.parse(JSON.stringify(c.change)));
  }

  public events(filter: OrganizationEventFilter = {}): OrganizationsCloudTrailEvent[] {
    return this.matching(filter).flatMap((c) => c.events).map((e) => JSON.parse(JSON.stringify(e)));
  }

  public subscribe(listener: (change: OrganizationChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public clear(): void {
    this.changes.length = 0;
  }

  private matching(filter: OrganizationEventFilter) {
    return this.changes.filter(({ change }) => (filter.kind === undefined || change.kind === filter.kind)
      && (filter.accountId === undefined || ('accountId' in change && change.accountId === filter.accountId)));
  }

  private eventsFor(change: OrganizationChange): OrganizationsCloudTrailEvent[] {
    const { managementAccountId } = this.context();
    const event = (eventName: string, fields: Partial<OrganizationsCloudTrailEvent['detail']>, service = false, account = managementAccountId): OrganizationsCloudTrailEvent => {
      const time = change.at.replace(/\.\d{3}Z$/, 'Z');
      return {
        'version': '0',
        'id': randomUUID(),
        'detail-type': service ? 'AWS Service Event via CloudTrail' : 'AWS API Call via CloudTrail',
        'source': ORGANIZATIONS_EVENT_SOURCE,
        account,
        time,
        'region': ORGANIZATIONS_EVENT_REGION,
        'resources': [],
        'detail': {
          eventVersion: '1.08',
          eventSource: 'organizations.amazonaws.com',
          eventName,
          eventType: service ? 'AwsServiceEvent' : 'AwsApiCall',
          eventTime: time,
          awsRegion: ORGANIZATIONS_EVENT_REGION,
          eventID: randomUUID(),
          recipientAccountId: account,
          readOnly: false,
          managementEvent: true,
          eventCategory: 'Management',
          ...fields,
        },
      };
    };
    switch (change.kind) {
      case 'AccountJoined': {
        const joined = change.joinedMethod === 'CREATED'
          ? event('CreateAccountResult', {
            serviceEventDetails: {
              createAccountStatus: {
                id: `car-${derivedIdPart(`car:${change.accountId}:${change.at}`, 8)}`,
                state: 'SUCCEEDED',
                accountName: '***',
                accountId: change.accountId,
                requestedTimestamp: change.at,
                completedTimestamp: change.at,
              },
            },
          }, true)
          : event('AcceptHandshake', {
            requestParameters: { handshakeId: `h-${derivedIdPart(`h:${change.accountId}:${change.at}`, 10)}` },
            responseElements: { handshake: { action: 'INVITE', state: 'ACCEPTED', parties: [{ id: change.accountId, type: 'ACCOUNT' }] } },
          }, false, change.accountId); // the invited account accepts: recorded in its account
        // New accounts arrive in the root; one placed in an OU got there by a MoveAccount.
        return change.parent === change.rootId ? [joined] : [joined, event('MoveAccount', {
          requestParameters: { accountId: change.accountId, sourceParentId: change.rootId, destinationParentId: change.parent },
        })];
      }
      case 'AccountMoved':
        return [event('MoveAccount', { requestParameters: { accountId: change.accountId, sourceParentId: change.from, destinationParentId: change.to } })];
      case 'AccountStatusChanged':
        // Closing an account is the CloseAccount call; AWS's own later transitions (and reinstatement) have no API event.
        return change.from === 'ACTIVE' && change.to !== 'ACTIVE' ? [event('CloseAccount', { requestParameters: { accountId: change.accountId } })] : [];
      case 'AccountRemoved':
        return change.how === 'left'
          ? [event('LeaveOrganization', {}, false, change.accountId)] // called by the member: recorded in its account
          : [event('RemoveAccountFromOrganization', { requestParameters: { accountId: change.accountId } })];
      case 'OrganizationalUnitCreated':
        return [event('CreateOrganizationalUnit', {
          requestParameters: { parentId: change.parent, name: change.name },
          responseElements: { organizationalUnit: { id: change.organizationalUnitId, name: change.name } },
        })];
    }
  }
}
