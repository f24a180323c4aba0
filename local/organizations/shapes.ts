/**
 * Output shapes of the read operations, members in the model's order (`Account`, `OrganizationalUnit`, `Root`,
 * `Organization`, `Child`, `Parent`). Timestamps are epoch seconds, as awsJson1_1 sends them.
 */
import { arns } from './ids';
import { AccountRecord, Organization, OrganizationalUnitRecord } from './organization';

export interface AccountShape {
  readonly Id: string;
  readonly Arn: string;
  readonly Email: string;
  readonly Name: string;
  /** Deprecated by AWS (retired on 2026-09-09) in favour of `State`; still in the model and sent. */
  readonly Status: string;
  readonly State: string;
  readonly Paths: string[];
  readonly JoinedMethod: string;
  readonly JoinedTimestamp: number;
}

export interface OrganizationalUnitShape {
  readonly Id: string;
  readonly Arn: string;
  readonly Name: string;
  readonly Path: string;
}

export interface RootShape {
  readonly Id: string;
  readonly Arn: string;
  readonly Name: string;
  readonly PolicyTypes: Array<{ Type: string; Status: string }>;
}

export interface OrganizationShape {
  readonly Id: string;
  readonly Arn: string;
  readonly FeatureSet: 'ALL';
  readonly MasterAccountArn: string;
  readonly MasterAccountId: string;
  readonly MasterAccountEmail: string;
  readonly AvailablePolicyTypes: Array<{ Type: string; Status: string }>;
}

export type ChildType = 'ACCOUNT' | 'ORGANIZATIONAL_UNIT';
export type ParentType = 'ROOT' | 'ORGANIZATIONAL_UNIT';

/** Epoch seconds with millisecond precision. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function accountShape(org: Organization, a: AccountRecord): AccountShape {
  return {
    Id: a.id,
    Arn: arns.account(org.managementAccountId, org.id, a.id),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.status,
    Paths: [org.pathOf(a.id)],
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: epochSeconds(a.joinedAt),
  };
}

export function organizationalUnitShape(org: Organization, ou: OrganizationalUnitRecord): OrganizationalUnitShape {
  return { Id: ou.id, Arn: arns.organizationalUnit(org.managementAccountId, org.id, ou.id), Name: ou.name, Path: org.pathOf(ou.id) };
}

export function rootShape(org: Organization): RootShape {
  return { Id: org.rootId, Arn: arns.root(org.managementAccountId, org.id, org.rootId), Name: 'Root', PolicyTypes: [] };
}

export function organizationShape(org: Organization): OrganizationShape {
  const management = org.account(org.managementAccountId)!;
  return {
    Id: org.id,
    Arn: arns.organization(org.managementAccountId, org.id),
    FeatureSet: 'ALL',
    MasterAccountArn: arns.account(org.managementAccountId, org.id, org.managementAccountId),
    MasterAccountId: org.managementAccountId,
    MasterAccountEmail: management.email,
    AvailablePolicyTypes: [],
  };
}

export function parentShape(org: Organization, parentId: string): { Id: string; Type: ParentType } {
  return { Id: parentId, Type: parentId === org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' };
}
