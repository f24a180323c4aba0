/**
 * The aws-cdk-lib-only floor: per environment stack, an IAM role trusted by proton.amazonaws.com
 * and an `AWS::Proton::EnvironmentAccountConnection` (no acceptance, no custom resource). With
 * `guarded` (one-stack mode), the role carries the confused-deputy trust conditions.
 */
import { App, Stack, aws_iam as iam, aws_proton as proton } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppSpec, MANAGEMENT_ACCOUNT, REGION, environmentAccount, environmentName, environmentStackId } from './app-spec';
import { protonRole } from './proton-role';
import { runApp } from './run-app';

function addConnection(scope: Construct, suffix: string, name: string, role: iam.IRole): void {
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
        addConnection(stack, '', environmentName(i), protonRole(stack, 'ProtonRole'));
      }
      return;
    case 'one-stack':
      for (const k of spec.ks) {
        const stack = new Stack(app, `OneStack${k}`, { env: { account: environmentAccount(0), region: REGION } });
        const names = Array.from({ length: k }, (_, j) => environmentName(j));
        const guard = (trusted: string[]) => (spec.guarded ? trusted : undefined);
        // shared-role: one role trusted by proton serves every connection of the stack
        const shared = spec.shape === 'shared-role' ? protonRole(stack, 'ProtonRole', guard(names)) : undefined;
        names.forEach((name, j) => addConnection(stack, String(j), name, shared ?? protonRole(stack, `ProtonRole${j}`, guard([name]))));
      }
      return;
    default:
      throw new Error(`the floor app has no ${spec.mode} mode`);
  }
}

runApp(build);
