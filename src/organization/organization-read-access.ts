import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { checkNotOwnAccount } from '../shared/own-account';
import { checkAccountId, invalidProp } from '../shared/validation';

/** The Organizations reads an OU-trusting acceptor makes, and nothing more. */
export const ORGANIZATION_READ_ACTIONS = ['organizations:ListAccountsForParent', 'organizations:ListChildren'] as const;

/** Properties of `OrganizationReadAccess`. */
export interface OrganizationReadAccessProps {
  /**
   * The accounts whose acceptors trust organizational units (the Proton management accounts),
   * when they are neither the organization's management account nor a delegated administrator.
   */
  readonly readerAccountIds: string[];
}

/**
 * The organization's resource-based delegation policy that lets Proton management accounts read
 * the OU trees their acceptors trust: `organizations:ListAccountsForParent` and
 * `organizations:ListChildren`, for those accounts only. Deploy it in the organization's
 * management account.
 *
 * An organization has one such policy (`AWS::Organizations::ResourcePolicy`). If yours already
 * has one, do not deploy this construct's resource twice: add `statements()` to your policy.
 * Not needed when the acceptor runs in the organization's management account or in a delegated
 * administrator account, which read the organization already.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html
 */
export class OrganizationReadAccess extends Construct {
  /** The policy's statements, to merge into an organization's existing delegation policy. */
  public static statements(readerAccountIds: string[]): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({
      sid: 'ProtonAcceptorsReadTrustedOrganizationalUnits',
      principals: readerAccountIds.map((account) => new iam.AccountPrincipal(account)),
      actions: [...ORGANIZATION_READ_ACTIONS],
      resources: ['*'],
    })];
  }

  /** The `AWS::Organizations::ResourcePolicy` resource. */
  public readonly policy: organizations.CfnResourcePolicy;

  constructor(scope: Construct, id: string, props: OrganizationReadAccessProps) {
    super(scope, id);
    const readers = props.readerAccountIds;
    if (!Array.isArray(readers) || readers.length === 0) invalidProp(this.node.path, 'readerAccountIds', readers, 'must name at least one account');
    for (const account of readers) {
      checkAccountId(this.node.path, 'readerAccountIds', account);
      checkNotOwnAccount(this, 'readerAccountIds', account, 'the organization\'s management account reads its organization already');
    }
    const literals = readers.filter((account) => !Token.isUnresolved(account));
    if (new Set(literals).size !== literals.length) invalidProp(this.node.path, 'readerAccountIds', readers, 'names an account twice');
    this.policy = new organizations.CfnResourcePolicy(this, 'Resource', {
      content: new iam.PolicyDocument({ statements: OrganizationReadAccess.statements(readers) }),
    });
  }
}
