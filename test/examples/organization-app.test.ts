import { spawnSync } from 'child_process';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildOrganizationApp, ORGANIZATION } from '../../examples/organization-app/organization-app';
import { awsSolutionsFindings } from '../support/nag';

const ROOT = path.join(__dirname, '..', '..');

describe('organization example app', () => {
  test('four stacks to deploy; the StackSet template is none of them; cdk-nag reports nothing on any, template included', () => {
    const app = new App();
    buildOrganizationApp(app);
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.id).sort()).toEqual(['OrganizationFoundation', 'OutsideEnvironment', 'ProtonEnvironmentStackSet', 'ProtonManagement']);
    expect(awsSolutionsFindings(app)).toEqual([]);
    // the StackSet's stack depends on the code bucket's (published to before the StackSet deploys)
    expect(assembly.getStackArtifact('ProtonEnvironmentStackSet').dependencies.map((d) => d.id)).toContain('OrganizationFoundation');
  });

  test('the acceptor trusts the OU the StackSet targets, for the same rule, in its Region', () => {
    const app = new App();
    buildOrganizationApp(app);
    const assembly = app.synth();
    const stackSet = Object.values(Template.fromJSON(assembly.getStackArtifact('ProtonEnvironmentStackSet').template)
      .findResources('AWS::CloudFormation::StackSet'))[0].Properties;
    expect(stackSet.StackInstancesGroup).toEqual([{ DeploymentTargets: { OrganizationalUnitIds: [ORGANIZATION.platformOrganizationalUnit] }, Regions: [ORGANIZATION.region] }]);
    const management = assembly.getStackArtifact('ProtonManagement');
    expect(management.environment.account).toBe(ORGANIZATION.protonManagementAccount);
    const [allowList] = Object.values(Template.fromJSON(management.template).findResources('AWS::SSM::Parameter'));
    expect(JSON.parse(allowList.Properties.Value)).toEqual({ pairs: [], accounts: [], organizationalUnits: [{ ids: [ORGANIZATION.platformOrganizationalUnit], prefix: 'platform' }] });
  });

  test('npx projen demo:organization: rolls out, accepts by OU, a joining account is accepted, an outsider stays PENDING, nothing is left', () => {
    const run = spawnSync('npx', ['projen', 'demo:organization'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    expect({ status: run.status, tail: output.slice(-3000) }).toMatchObject({ status: 0 });
    const lines = run.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toBe(
      'organization demo: 3 accounts in the OU, 3 CONNECTED, 1 joined later and CONNECTED, 1 outside the OU left PENDING, 0 connections left after destroy');
    // the instances ran under their accounts; the outside account's request is its own stack's
    expect(run.stdout).toMatch(/555555555555/);
  }, 600_000);
});
