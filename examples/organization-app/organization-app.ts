import { App, Stack } from 'aws-cdk-lib';
import {
  EnvironmentAccountConnection, EnvironmentAccountConnectionAcceptor, EnvironmentAccountProtonRole, EnvironmentAccountStackSet,
  EnvironmentNaming, OrganizationReadAccess, StackSetAssetBucket,
} from '../../src';

/** The organization the example is written for (`organization.json`, which the demo serves locally). */
export const ORGANIZATION = {
  managementAccount: '999999999999',
  organizationId: 'o-demoorg123',
  protonManagementAccount: '111111111111',
  platformOrganizationalUnit: 'ou-demo-platform',
  region: 'us-east-1',
  /** An account of another OU: its request for a platform name must never be accepted. */
  outsideAccount: '666666666666',
} as const;

/** The one naming rule of both sides: the environment of account <id> is "platform-<id>". */
export const NAMING = EnvironmentNaming.accountIdWithPrefix('platform');

/** Where `cdk deploy` publishes the StackSet template's handler code: bucket `proton-demo-code-<region>`. */
export const ASSET_BUCKET_PREFIX = 'proton-demo-code';

/**
 * The organization example: the environment side rolled out to every account of an OU (nested OUs
 * included) as one StackSet from the organization's management account, and a Proton management
 * account that accepts by OU membership. A stray account outside the OU files a request too.
 */
export function buildOrganizationApp(app: App): void {
  const { managementAccount, organizationId, protonManagementAccount, platformOrganizationalUnit, region, outsideAccount } = ORGANIZATION;

  // organization's management account: the code bucket the accounts read, and read access to the OU tree
  const foundation = new Stack(app, 'OrganizationFoundation', {
    env: { account: managementAccount, region },
    description: 'StackSet code bucket readable by the organization; the Proton management account may read the OU tree',
  });
  new StackSetAssetBucket(foundation, 'StackSetCode', { bucketNamePrefix: ASSET_BUCKET_PREFIX, organizationId });
  new OrganizationReadAccess(foundation, 'ProtonAcceptorReadsOrganization', { readerAccountIds: [protonManagementAccount] });

  // the environment side of every account of the OU, as one StackSet
  const environments = new Stack(app, 'ProtonEnvironmentStackSet', {
    env: { account: managementAccount, region },
    description: `The AWS Proton environment side of every account of ${platformOrganizationalUnit}`,
  });
  environments.addStackDependency(foundation, 'the code bucket exists before cdk deploy publishes to it');
  new EnvironmentAccountStackSet(environments, 'EnvironmentSide', {
    stackSetName: 'proton-platform-environments',
    organizationalUnitIds: [platformOrganizationalUnit],
    regions: [region],
    environmentNaming: NAMING,
    managementAccountId: protonManagementAccount,
    assetBucketNamePrefix: ASSET_BUCKET_PREFIX,
  });

  // the Proton management account accepts by OU membership, exactly the derived name of each ACTIVE account
  const management = new Stack(app, 'ProtonManagement', {
    env: { account: protonManagementAccount, region },
    description: `Accepts "platform-<account id>" from each ACTIVE account of ${platformOrganizationalUnit}`,
  });
  new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', {
    continuousAcceptance: {},
    trustedOrganizationalUnits: [{ organizationalUnitIds: [platformOrganizationalUnit], environmentNaming: NAMING }],
  });

  // an account outside the OU that files for the name the rule would give it: it stays PENDING
  const outside = new Stack(app, 'OutsideEnvironment', {
    env: { account: outsideAccount, region },
    description: `An account outside ${platformOrganizationalUnit} asking for "${NAMING.environmentNameFor(outsideAccount)}"`,
  });
  const name = NAMING.environmentNameFor(outsideAccount);
  new EnvironmentAccountConnection(outside, 'Request', {
    managementAccountId: protonManagementAccount,
    environmentName: name,
    role: new EnvironmentAccountProtonRole(outside, 'Role', { managementAccountId: protonManagementAccount, environmentNames: [name] }),
  });
}
