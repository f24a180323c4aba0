import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { protonCloudFormationStatement, protonStacksArn } from './cloudformation-base';
import { ProvisioningPermissions, bindProvisioningPermissions } from './provisioning-permissions';
import { acknowledgeWildcard, acknowledgeWildcardResource } from '../shared/nag-acknowledgements';

/**
 * The inline policy of a Proton provisioning role: the CloudFormation base statement plus
 * whatever provisioning permissions are bound to it, now or later. cdk-nag wildcard findings
 * that exist by design are acknowledged on `owner` one by one, with the reason.
 */
export class ProvisioningPolicy {
  private readonly acknowledged = new Set<string>();

  constructor(private readonly owner: IConstruct, private readonly document: iam.PolicyDocument) {
    this.document.addStatements(protonCloudFormationStatement(owner));
    acknowledgeWildcardResource(
      owner,
      protonStacksArn(owner),
      'AWS Proton names the stacks it provisions AWSProton-<generated>; the pattern is limited to this account and Region.',
    );
  }

  /** Binds `permissions` and adds their statements. */
  public add(permissions: ProvisioningPermissions[]): void {
    for (const permission of permissions) {
      const config = bindProvisioningPermissions(permission, this.owner);
      this.document.addStatements(...config.statements);
      for (const finding of config.intendedWildcards) {
        this.acknowledge(
          finding,
          'Provisioning permission chosen by the platform team for what its Proton templates create; usable only through CloudFormation (aws:CalledVia), as the AWS Proton user guide prescribes.',
        );
      }
    }
  }

  private acknowledge(finding: string, reason: string): void {
    if (this.acknowledged.has(finding)) return;
    this.acknowledged.add(finding);
    acknowledgeWildcard(this.owner, finding, reason);
  }
}
