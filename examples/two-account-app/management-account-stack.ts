import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentAccountConnectionAcceptor } from '../../src';

/**
 * The management account's side: the acceptor. Environment stacks add their (account,
 * environment) pair to it with `ProtonEnvironmentLink`.
 */
export class ManagementAccountStack extends Stack {
  public readonly acceptor: EnvironmentAccountConnectionAcceptor;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.acceptor = new EnvironmentAccountConnectionAcceptor(this, 'Acceptor');
  }
}
