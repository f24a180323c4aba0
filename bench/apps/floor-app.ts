/**
 * The aws-cdk-lib-only floor: per environment stack, an IAM role trusted by proton.amazonaws.com
 * and an `AWS::Proton::EnvironmentAccountConnection` (no acceptance, no custom resource).
 */
import { App, Stack, aws_iam as iam, aws_proton as proton } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppSpec, MANAGEMENT_ACCOUNT, REGION, environmentAccount, environmentName, environmentStackId } from './app-spec';
import { runApp } from './run-app';

function protonRole(scope: Construct, suffix: string): iam.IRole {
  return new iam.Role(scope, `ProtonRole${suffix}`, { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
}

function addConnection(scope: Construct, suffix: string, name: string, role: iam.IRole = protonRole(scope, suffix)): void {
  new proton.CfnEnvironmentAccountConnection(scope, `Connection${suffix}`, {
    managementAccountId: MANAGEMENT_ACCOUNT,
    environmentName: name,
    roleArn: role.roleArn,
  });
}

function build(app: App, spec: AppSpec): void {
  switch (spec.mode) {
    case 'pairs':
      for (let i = 0; i < spec.n; i++) {
        const stack = new Stack(app, environmentStackId(i), { env: { account: environmentAccount(i), region: REGION } });
        addConnection(stack, '', environmentName(i));
      }
      return;
    case 'one-stack':
      for (const k of spec.ks) {
        const stack = new Stack(app, `OneStack${k}`, { env: { account: environmentAccount(0), region: REGION } });
        // shared-role: one role trusted by proton serves every connection of the stack
        const shared = spec.shape === 'shared-role' ? protonRole(stack, '') : undefined;
        for (let j = 0; j < k; j++) addConnection(stack, String(j), environmentName(j), shared);
      }
      return;
    default:
      throw new Error(`the floor app has no ${spec.mode} mode`);
  }
}

runApp(build);
