/**
 * The read operations of AWS Organizations over the in-memory organization. Each takes validated input (see
 * input-validation.ts) from a caller that `authorize` let through, and returns the output shape.
 */
import { OrganizationsError } from './errors';
import { OrganizationsOperationName, ValidInput } from './input-validation';
import { Organization } from './organization';
import { paginate } from './pagination';
import {
  accountShape, ChildType, organizationalUnitShape, organizationShape, parentShape, rootShape,
} from './shapes';

export interface OperationContext {
  readonly org: Organization;
  readonly input: ValidInput;
  /** Answer this List* call with an empty page and a NextToken (the `emptyPageRate` fault). */
  readonly emptyPage: boolean;
}

const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

function pageInput(input: ValidInput): { NextToken?: string | number; MaxResults?: string | number } {
  return { NextToken: input.NextToken, MaxResults: input.MaxResults };
}

/** The parent a ParentId names (it passed the model's pattern, which does not make it a root or OU id). */
function requireParent(org: Organization, parentId: string): string {
  if (!org.isParent(parentId)) throw new OrganizationsError('ParentNotFoundException', `You specified parent that doesn't exist: no root or OU ${parentId} in the organization.`);
  return parentId;
}

function listChildren({ org, input, emptyPage }: OperationContext) {
  const parent = requireParent(org, String(input.ParentId));
  const type = input.ChildType as ChildType;
  const items: Array<{ seq: number; child: { Id: string; Type: ChildType } }> = type === 'ACCOUNT'
    ? org.accountsIn(parent).map((a) => ({ seq: a.seq, child: { Id: a.id, Type: type } }))
    : org.organizationalUnitsIn(parent).map((ou) => ({ seq: ou.seq, child: { Id: ou.id, Type: type } }));
  const page = paginate(items, (i) => i.seq, 'ListChildren', `${parent}|${type}`, pageInput(input), emptyPage);
  return { Children: page.items.map((i) => i.child), NextToken: page.nextToken };
}

function listParents({ org, input, emptyPage }: OperationContext) {
  const childId = String(input.ChildId);
  const parent = ACCOUNT_ID.test(childId) ? org.account(childId)?.parent
    : OU_ID.test(childId) ? org.organizationalUnit(childId)?.parent
      : undefined;
  if (parent === undefined) throw new OrganizationsError('ChildNotFoundException', `You specified a child that doesn't exist: no account or OU ${childId} in the organization.`);
  const page = paginate([parentShape(org, parent)], () => 1, 'ListParents', childId, pageInput(input), emptyPage);
  return { Parents: page.items, NextToken: page.nextToken };
}

export const ORGANIZATIONS_OPERATIONS: Record<OrganizationsOperationName, (ctx: OperationContext) => unknown> = {
  ListRoots: ({ org, input, emptyPage }) => {
    const page = paginate([rootShape(org)], () => 1, 'ListRoots', '', pageInput(input), emptyPage);
    return { Roots: page.items, NextToken: page.nextToken };
  },
  ListChildren: listChildren,
  ListAccountsForParent: ({ org, input, emptyPage }) => {
    const parent = requireParent(org, String(input.ParentId));
    const page = paginate(org.accountsIn(parent), (a) => a.seq, 'ListAccountsForParent', parent, pageInput(input), emptyPage);
    return { Accounts: page.items.map((a) => accountShape(org, a)), NextToken: page.nextToken };
  },
  ListOrganizationalUnitsForParent: ({ org, input, emptyPage }) => {
    const parent = requireParent(org, String(input.ParentId));
    const page = paginate(org.organizationalUnitsIn(parent), (ou) => ou.seq, 'ListOrganizationalUnitsForParent', parent, pageInput(input), emptyPage);
    return { OrganizationalUnits: page.items.map((ou) => organizationalUnitShape(org, ou)), NextToken: page.nextToken };
  },
  ListParents: listParents,
  DescribeAccount: ({ org, input }) => {
    const account = org.account(String(input.AccountId));
    if (!account) throw new OrganizationsError('AccountNotFoundException', `You specified an account that doesn't exist: ${String(input.AccountId)} is not in the organization.`);
    return { Account: accountShape(org, account) };
  },
  DescribeOrganizationalUnit: ({ org, input }) => {
    const ou = org.organizationalUnit(String(input.OrganizationalUnitId));
    if (!ou) throw new OrganizationsError('OrganizationalUnitNotFoundException', `You specified an organizational unit that doesn't exist: ${String(input.OrganizationalUnitId)}.`);
    return { OrganizationalUnit: organizationalUnitShape(org, ou) };
  },
  DescribeOrganization: ({ org }) => ({ Organization: organizationShape(org) }),
  ListAccounts: ({ org, input, emptyPage }) => {
    const page = paginate(org.allAccounts(), (a) => a.seq, 'ListAccounts', '', pageInput(input), emptyPage);
    return { Accounts: page.items.map((a) => accountShape(org, a)), NextToken: page.nextToken };
  },
};

/** The List* operations (the ones the `emptyPageRate` fault applies to). */
export const LIST_OPERATIONS: readonly OrganizationsOperationName[] = [
  'ListRoots', 'ListChildren', 'ListAccountsForParent', 'ListOrganizationalUnitsForParent', 'ListParents', 'ListAccounts',
];
