/**
 * Who may call the read operations. The model's documentation: every one of them "can only be called from the
 * management account or a member account that is a delegated administrator", except DescribeOrganization, which
 * "you can call from any account in a organization"; a resource-based delegation policy can also grant member
 * accounts Describe* and List*. A member account without either gets AccessDeniedException; an account outside the
 * organization (and every caller of an endpoint started without one) gets AWSOrganizationsNotInUseException.
 */
import { notInUse, OrganizationsError } from './errors';
import { OrganizationsOperationName } from './input-validation';
import { Organization } from './organization';

export type OrganizationsCallerRole = 'management' | 'delegated-administrator' | 'resource-policy-reader' | 'member' | 'outside';

export function callerRole(org: Organization, accountId: string): OrganizationsCallerRole {
  if (accountId === org.managementAccountId) return 'management';
  if (!org.account(accountId)) return 'outside';
  if (org.isDelegatedAdministrator(accountId)) return 'delegated-administrator';
  if (org.isResourcePolicyReader(accountId)) return 'resource-policy-reader';
  return 'member';
}

/** Returns the organization the caller may read, or throws the service's answer. */
export function authorize(org: Organization | undefined, accountId: string, operation: OrganizationsOperationName): Organization {
  if (!org) throw notInUse();
  const role = callerRole(org, accountId);
  if (role === 'outside') throw notInUse();
  if (role === 'member' && operation !== 'DescribeOrganization') {
    throw new OrganizationsError('AccessDeniedException', "You don't have permissions to access this resource.");
  }
  return org;
}
