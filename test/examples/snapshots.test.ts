import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';

/**
 * One snapshot per example stack: whole templates, with asset hashes masked so that a change to
 * a handler's code alone does not churn them. Snapshots are only updated on purpose
 * (`npx projen test:update`); the test command never writes them.
 */
function maskedTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}(\.zip)?/g, (_, zip) => `<asset hash>${zip ?? ''}`));
}

const { environmentStack, managementStack } = buildTwoAccountApp(new App());

test('EnvironmentAccountStack', () => {
  expect(maskedTemplate(environmentStack)).toMatchSnapshot();
});

test('ManagementAccountStack', () => {
  expect(maskedTemplate(managementStack)).toMatchSnapshot();
});
