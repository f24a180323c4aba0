import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentAccountConnectionAcceptor, ProtonEnvironmentLink, ProvisioningPermissions } from '../../src';

/** Properties of the environment account's stack. */
export interface EnvironmentAccountStackProps extends StackProps {
  /** The management account's acceptor that accepts this account's request. */
  readonly acceptor: EnvironmentAccountConnectionAcceptor;
  readonly environmentName: string;
  readonly protonRoleName?: string;
}

/**
 * The environment account's side: the scoped Proton service role and the connection request,
 * wired to the management account's acceptor in one line.
 */
export class EnvironmentAccountStack extends Stack {
  public readonly link: ProtonEnvironmentLink;

  constructor(scope: Construct, id: string, props: EnvironmentAccountStackProps) {
    super(scope, id, props);
    this.link = new ProtonEnvironmentLink(this, 'Environment', {
      acceptor: props.acceptor,
      environmentName: props.environmentName,
      roleName: props.protonRoleName,
      // What this platform's environment templates create: a VPC, an ECS cluster and their logs.
      provisioningPermissions: [ProvisioningPermissions.fromServices('ec2', 'ecs', 'logs')],
    });
    new CfnOutput(this, 'ConnectionId', { value: this.link.connection.connectionId });
    new CfnOutput(this, 'ConnectionStatus', { value: this.link.connection.connectionStatus });
    new CfnOutput(this, 'ProtonRoleArn', { value: this.link.role.roleArn });
  }
}
