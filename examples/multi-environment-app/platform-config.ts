/**
 * The platform's accounts and environments: one management account, several environment
 * accounts, each provisioning one or more of the management account's environments.
 * Edit this file (or read it from JSON) to describe your own organization.
 */
export interface PlatformConfig {
  readonly managementAccount: string;
  readonly region: string;
  readonly environmentAccounts: EnvironmentAccountConfig[];
}

export interface EnvironmentAccountConfig {
  /** A name for the account's stack, e.g. `Workloads`. */
  readonly name: string;
  readonly account: string;
  /** The management account's environments this account provisions. */
  readonly environments: string[];
  /** AWS services the environments' templates create (usable only through CloudFormation). */
  readonly services: string[];
}

/** Placeholder accounts: synthesize anywhere, deploy nowhere real. */
export const PLATFORM: PlatformConfig = {
  managementAccount: '111111111111',
  region: 'us-east-1',
  environmentAccounts: [
    { name: 'Development', account: '222222222222', environments: ['dev', 'qa'], services: ['ec2', 'ecs', 'logs'] },
    { name: 'Production', account: '333333333333', environments: ['prod'], services: ['ec2', 'ecs', 'logs', 'elasticloadbalancing'] },
    { name: 'Data', account: '444444444444', environments: ['analytics-prod', 'analytics-dev'], services: ['s3', 'glue', 'athena'] },
  ],
};
