import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { PlatformConfig } from './platform-config';
import { EnvironmentAccountConnectionAcceptor, ProtonEnvironmentLink, ProvisioningPermissions } from '../../src';

/** The stacks of the multi-environment example. */
export interface MultiEnvironmentApp {
  readonly managementStack: Stack;
  readonly acceptor: EnvironmentAccountConnectionAcceptor;
  readonly environmentStacks: Stack[];
}

/** One management stack with an acceptor, and one stack per environment account with a line per environment. */
export function buildMultiEnvironmentApp(app: App, config: PlatformConfig): MultiEnvironmentApp {
  const managementStack = new Stack(app, 'PlatformManagement', {
    env: { account: config.managementAccount, region: config.region },
    description: 'AWS Proton management account: accepts the platform\'s environment account connections',
  });
  const acceptor = new EnvironmentAccountConnectionAcceptor(managementStack, 'Acceptor', {
    // requests re-filed later (for example after an environment stack is replaced) are accepted too
    continuousAcceptance: {},
  });
  const environmentStacks = config.environmentAccounts.map((accountConfig) => {
    const stack = new Stack(app, `Platform${accountConfig.name}`, {
      env: { account: accountConfig.account, region: config.region },
      description: `AWS Proton environment account ${accountConfig.account} (${accountConfig.name})`,
    });
    for (const environmentName of accountConfig.environments) {
      const link = new ProtonEnvironmentLink(stack, environmentName, {
        acceptor,
        environmentName,
        provisioningPermissions: [ProvisioningPermissions.fromServices(...accountConfig.services)],
      });
      new CfnOutput(managementStack, `${accountConfig.name}-${environmentName}-ConnectionId`.replace(/[^A-Za-z0-9]/g, ''), { value: link.acceptedConnectionId });
    }
    return stack;
  });
  return { managementStack, acceptor, environmentStacks };
}
