import { App } from 'aws-cdk-lib';
import { readTwoAccountContext } from './app-context';
import { EnvironmentAccountStack } from './environment-account-stack';

/** The stacks of the two-account example. */
export interface TwoAccountApp {
  readonly environmentStack: EnvironmentAccountStack;
}

/** Adds the example's stacks to `app`, configured from its context. */
export function buildTwoAccountApp(app: App): TwoAccountApp {
  const context = readTwoAccountContext(app);
  const environmentStack = new EnvironmentAccountStack(app, 'EnvironmentAccountStack', {
    env: { account: context.environmentAccount, region: context.environmentRegion },
    managementAccountId: context.managementAccount,
    environmentName: context.environmentName,
    description: `AWS Proton environment account ${context.environmentAccount}: service role for environment "${context.environmentName}" of management account ${context.managementAccount}`,
  });
  return { environmentStack };
}
