import { App } from 'aws-cdk-lib';

/**
 * The example's accounts, Region and environment, from CDK context:
 *   npx cdk synth -c environmentAccount=222222222222 -c managementAccount=111111111111 -c region=us-east-1 -c environmentName=dev
 * The defaults are placeholders: they synthesize anywhere and deploy nowhere real.
 */
export interface TwoAccountContext {
  readonly environmentAccount: string;
  readonly managementAccount: string;
  /** Region of the environment account's stack (`-c environmentRegion`, default `region`). */
  readonly environmentRegion: string;
  /** Region of the management account's stack (`-c managementRegion`, default `region`). */
  readonly managementRegion: string;
  readonly environmentName: string;
  /** Optional name of the Proton role (`-c protonRoleName`). */
  readonly protonRoleName?: string;
}

export const PLACEHOLDERS = {
  environmentAccount: '222222222222',
  managementAccount: '111111111111',
  region: 'us-east-1',
  environmentName: 'dev',
} as const;

function contextString(app: App, key: string): string | undefined {
  const value = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** Reads the example's context. */
export function readTwoAccountContext(app: App): TwoAccountContext {
  const region = contextString(app, 'region') ?? PLACEHOLDERS.region;
  return {
    environmentAccount: contextString(app, 'environmentAccount') ?? PLACEHOLDERS.environmentAccount,
    managementAccount: contextString(app, 'managementAccount') ?? PLACEHOLDERS.managementAccount,
    environmentRegion: contextString(app, 'environmentRegion') ?? region,
    managementRegion: contextString(app, 'managementRegion') ?? region,
    environmentName: contextString(app, 'environmentName') ?? PLACEHOLDERS.environmentName,
    protonRoleName: contextString(app, 'protonRoleName'),
  };
}
