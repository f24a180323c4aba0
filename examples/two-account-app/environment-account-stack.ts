import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentAccountProtonRole, ProvisioningPermissions } from '../../src';

/** Properties of the environment account's stack. */
export interface EnvironmentAccountStackProps extends StackProps {
  readonly managementAccountId: string;
  readonly environmentName: string;
}

/**
 * The environment account's side: the scoped Proton service role that the management
 * account's environment provisions through.
 */
export class EnvironmentAccountStack extends Stack {
  public readonly protonRole: EnvironmentAccountProtonRole;

  constructor(scope: Construct, id: string, props: EnvironmentAccountStackProps) {
    super(scope, id, props);
    this.protonRole = new EnvironmentAccountProtonRole(this, 'ProtonRole', {
      managementAccountId: props.managementAccountId,
      environmentNames: [props.environmentName],
      // What this platform's environment templates create: a VPC, its endpoints and an ECS cluster.
      provisioningPermissions: [ProvisioningPermissions.fromServices('ec2', 'ecs', 'logs')],
    });
  }
}
