import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildMultiEnvironmentApp } from '../../examples/multi-environment-app/multi-environment-app';
import { PLATFORM } from '../../examples/multi-environment-app/platform-config';
import { awsSolutionsFindings } from '../support/nag';

describe('multi-environment example app', () => {
  test('one stack per environment account, one role and request per environment, one acceptor for all', () => {
    const app = new App();
    const { managementStack, environmentStacks } = buildMultiEnvironmentApp(app, PLATFORM);
    expect(environmentStacks.map((s) => [s.stackName, s.account])).toEqual([
      ['PlatformDevelopment', '222222222222'],
      ['PlatformProduction', '333333333333'],
      ['PlatformData', '444444444444'],
    ]);
    for (const [index, stack] of environmentStacks.entries()) {
      const template = Template.fromStack(stack);
      const environments = PLATFORM.environmentAccounts[index].environments;
      template.resourceCountIs('Custom::ProtonEnvironmentAccountConnection', environments.length);
      template.resourceCountIs('AWS::Lambda::Function', 1);
      expect(managementStack.dependencies).toContain(stack);
    }
    const pairs = PLATFORM.environmentAccounts.flatMap((a) => a.environments.map((e) => `${a.account}/${e}`));
    Template.fromStack(managementStack).hasResourceProperties('Custom::ProtonConnectionAcceptance', { Pairs: pairs });
  });

  test('each environment\'s role trusts only that environment and grants only its account\'s services via CloudFormation', () => {
    const { environmentStacks } = buildMultiEnvironmentApp(new App(), PLATFORM);
    const data = Template.fromStack(environmentStacks[2]);
    const roles = Object.values(data.findResources('AWS::IAM::Role')).filter((r: any) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'proton.amazonaws.com') as any[];
    expect(roles).toHaveLength(2);
    const trusted = roles.map((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnLike['aws:SourceArn']));
    expect(trusted[0]).toMatch(/environment\/analytics-prod"/);
    expect(trusted[1]).toMatch(/environment\/analytics-dev"/);
    for (const role of roles) {
      const statements = role.Properties.Policies[0].PolicyDocument.Statement;
      expect(statements[1]).toEqual({
        Effect: 'Allow',
        Action: ['s3:*', 'glue:*', 'athena:*'],
        Resource: '*',
        Condition: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } },
      });
    }
  });

  test('continuous acceptance stores the allow-list and sweeps on a schedule and on Proton events', () => {
    const { managementStack } = buildMultiEnvironmentApp(new App(), PLATFORM);
    const template = Template.fromStack(managementStack);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::SSM::Parameter', 1);
  });

  test('zero unacknowledged cdk-nag AwsSolutions findings', () => {
    const app = new App();
    buildMultiEnvironmentApp(app, PLATFORM);
    expect(awsSolutionsFindings(app)).toEqual([]);
  });
});
