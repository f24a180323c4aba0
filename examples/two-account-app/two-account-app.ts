import { App, CfnOutput } from 'aws-cdk-lib';
import { readTwoAccountContext } from './app-context';
import { EnvironmentAccountStack } from './environment-account-stack';
import { ManagementAccountStack } from './management-account-stack';

/** The stacks of the two-account example. */
export interface TwoAccountApp {
  readonly environmentStack: EnvironmentAccountStack;
  readonly managementStack: ManagementAccountStack;
}

/** Adds the example's two stacks to `app`, configured from its context. */
export function buildTwoAccountApp(app: App): TwoAccountApp {
  const context = readTwoAccountContext(app);
  const managementStack = new ManagementAccountStack(app, 'ManagementAccountStack', {
    env: { account: context.managementAccount, region: context.managementRegion },
    description: `AWS Proton management account ${context.managementAccount}: accepts environment "${context.environmentName}" from account ${context.environmentAccount}`,
  });
  const environmentStack = new EnvironmentAccountStack(app, 'EnvironmentAccountStack', {
    env: { account: context.environmentAccount, region: context.environmentRegion },
    acceptor: managementStack.acceptor,
    environmentName: context.environmentName,
    protonRoleName: context.protonRoleName,
    description: `AWS Proton environment account ${context.environmentAccount}: role and connection request for environment "${context.environmentName}" of management account ${context.managementAccount}`,
  });
  // The management side uses the accepted connection's id to create the Proton environment.
  new CfnOutput(managementStack, 'AcceptedConnectionId', { value: environmentStack.link.acceptedConnectionId });
  return { environmentStack, managementStack };
}
