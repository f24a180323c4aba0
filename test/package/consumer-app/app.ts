// A user's two-account CDK app, written against the installed package.
import { App, Stack } from 'aws-cdk-lib';
import { EnvironmentAccountConnectionAcceptor, ProtonEnvironmentLink, ProvisioningPermissions } from 'cdk-proton-account-connections';

const app = new App();
const management = new Stack(app, 'PlatformManagement', { env: { account: '111111111111', region: 'eu-west-1' } });
const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor');
const workloads = new Stack(app, 'PlatformWorkloads', { env: { account: '222222222222', region: 'eu-west-1' } });
new ProtonEnvironmentLink(workloads, 'Dev', {
  acceptor,
  environmentName: 'dev',
  provisioningPermissions: [ProvisioningPermissions.fromServices('s3', 'sqs')],
});
app.synth();
