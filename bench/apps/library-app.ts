/**
 * The library side: `ProtonEnvironmentLink` per environment stack with its acceptor in one
 * management stack; the building blocks for the one-stack and management-stack measurements.
 */
import { App, Stack } from 'aws-cdk-lib';
import {
  AppSpec,
  HANDSHAKE_ENVIRONMENT_ACCOUNT,
  HANDSHAKE_ENVIRONMENT_STACK,
  MANAGEMENT_ACCOUNT,
  MANAGEMENT_STACK,
  REGION,
  environmentAccount,
  environmentName,
  environmentStackId,
} from './app-spec';
import { runApp } from './run-app';
import {
  EnvironmentAccountConnection,
  EnvironmentAccountConnectionAcceptor,
  EnvironmentAccountProtonRole,
  ProtonEnvironmentLink,
} from '../../src';

function managementStack(app: App, continuous = false): { stack: Stack; acceptor: EnvironmentAccountConnectionAcceptor } {
  const stack = new Stack(app, MANAGEMENT_STACK, { env: { account: MANAGEMENT_ACCOUNT, region: REGION } });
  const acceptor = new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { continuousAcceptance: continuous ? {} : undefined });
  return { stack, acceptor };
}

function build(app: App, spec: AppSpec): void {
  switch (spec.mode) {
    case 'pairs': {
      const { acceptor } = managementStack(app);
      for (let i = 0; i < spec.n; i++) {
        const stack = new Stack(app, environmentStackId(i), { env: { account: environmentAccount(i), region: REGION } });
        new ProtonEnvironmentLink(stack, 'Link', { acceptor, environmentName: environmentName(i) });
      }
      return;
    }
    case 'one-stack':
      for (const k of spec.ks) {
        const stack = new Stack(app, `OneStack${k}`, { env: { account: environmentAccount(0), region: REGION } });
        const names = Array.from({ length: k }, (_, j) => environmentName(j));
        // shared-role: one role trusting all k environments serves every connection of the stack
        const shared = spec.shape === 'shared-role'
          ? new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT_ACCOUNT, environmentNames: names })
          : undefined;
        names.forEach((name, j) => {
          const role = shared ?? new EnvironmentAccountProtonRole(stack, `ProtonRole${j}`, {
            managementAccountId: MANAGEMENT_ACCOUNT,
            environmentNames: [name],
          });
          new EnvironmentAccountConnection(stack, `Connection${j}`, { managementAccountId: MANAGEMENT_ACCOUNT, environmentName: name, role });
        });
      }
      return;
    case 'management': {
      const { acceptor } = managementStack(app, spec.continuous);
      const perAccount = Math.ceil(spec.pairs / spec.accounts);
      for (let i = 0; i < spec.pairs; i++) {
        acceptor.addExpectedConnection({ environmentAccountId: environmentAccount(Math.floor(i / perAccount)), environmentName: environmentName(i) });
      }
      return;
    }
    case 'event-path': {
      // the acceptor lists the pair but does not wait for it: continuous acceptance accepts it when filed
      const { acceptor } = managementStack(app, true);
      acceptor.addExpectedConnection({ environmentAccountId: HANDSHAKE_ENVIRONMENT_ACCOUNT, environmentName: 'dev', waitAtDeploy: false });
      const stack = new Stack(app, HANDSHAKE_ENVIRONMENT_STACK, { env: { account: HANDSHAKE_ENVIRONMENT_ACCOUNT, region: REGION } });
      const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT_ACCOUNT, environmentNames: ['dev'] });
      new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: MANAGEMENT_ACCOUNT, environmentName: 'dev', role });
      return;
    }
    case 'handshake': {
      const { acceptor } = managementStack(app);
      const stack = new Stack(app, HANDSHAKE_ENVIRONMENT_STACK, { env: { account: HANDSHAKE_ENVIRONMENT_ACCOUNT, region: REGION } });
      new ProtonEnvironmentLink(stack, 'Link', { acceptor, environmentName: 'dev', roleName: spec.roleName });
      return;
    }
  }
}

runApp(build);
