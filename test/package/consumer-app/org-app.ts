// A user's organization-scale app, written against the installed package: the environment side as one
// StackSet to an OU (from the organization's management account), the acceptor trusting that OU.
import { App, Stack } from 'aws-cdk-lib';
import {
  EnvironmentAccountConnectionAcceptor, EnvironmentAccountStackSet, EnvironmentNaming, StackSetAssetBucket,
} from 'cdk-proton-account-connections';

const app = new App();
const naming = EnvironmentNaming.accountIdWithPrefix('workloads');
const code = new Stack(app, 'StackSetCode', { env: { account: '999999999999', region: 'eu-west-1' } });
new StackSetAssetBucket(code, 'Code', { bucketNamePrefix: 'platform-proton-code', organizationId: 'o-platform01' });
const environments = new Stack(app, 'Environments', { env: { account: '999999999999', region: 'eu-west-1' } });
environments.addStackDependency(code);
new EnvironmentAccountStackSet(environments, 'EnvironmentSide', {
  organizationalUnitIds: ['ou-plat-workloads'],
  regions: ['eu-west-1'],
  environmentNaming: naming,
  managementAccountId: '111111111111',
  assetBucketNamePrefix: 'platform-proton-code',
});
const management = new Stack(app, 'Management', { env: { account: '111111111111', region: 'eu-west-1' } });
new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', {
  continuousAcceptance: {},
  trustedOrganizationalUnits: [{ organizationalUnitIds: ['ou-plat-workloads'], environmentNaming: naming }],
});
app.synth();
