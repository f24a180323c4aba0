import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EnvironmentAccountConnectionAcceptor, HandlerOptions, ProtonEnvironmentLink, ProvisioningPermissions } from '../../src';
import { controlTowerFindings, guardedApp } from '../support/guard';

/** The README's Control Tower-hardened environment stack, as written there: no Control Tower finding on its stack. */
test('the README\'s hardened example synthesizes with an imported VPC and has no Control Tower finding', () => {
  const app = guardedApp();
  const management = new Stack(app, 'ProtonManagement', { env: { account: '111111111111', region: 'us-east-1' } });
  const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor');

  const workloads = new Stack(app, 'ProtonWorkloads', { env: { account: '222222222222', region: 'us-east-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(workloads, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  });
  const handlerOptions: HandlerOptions = {
    vpc,
    // the organization's key; its key policy lets CloudWatch Logs of this account use it
    logGroupEncryptionKey: kms.Key.fromKeyArn(workloads, 'LogsKey', 'arn:aws:kms:us-east-1:222222222222:key/0f0e0d0c-0000-4000-8000-000000000000'),
    reservedConcurrentExecutions: 2,
  };
  new ProtonEnvironmentLink(workloads, 'Dev', {
    acceptor,
    environmentName: 'dev',
    provisioningPermissions: [ProvisioningPermissions.fromActions('ecs:CreateCluster', 'ecs:DeleteCluster')],
    handlerOptions,
  });

  const findings = controlTowerFindings(app).filter((finding) => finding.path.startsWith('ProtonWorkloads/'));
  expect(findings).toEqual([]);
});
