import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EnvironmentAccountConnectionAcceptor } from '../../src/acceptor/environment-account-connection-acceptor';
import { RESPONSE_MARGIN_MS } from '../../src/handler-runtime/custom-resource-runner';
import { DEFAULT_WAIT_SECONDS, HANDLER_TIMEOUT_SECONDS, MAX_WAIT_SECONDS, WAIT_MARGIN_SECONDS } from '../../src/shared/handler-limits';

/** The one place the documented limits are written down in the tests; everything else derives from handler-limits. */
test('the handlers run 15 minutes (Lambda\'s limit) and wait at most 14 (10 by default)', () => {
  expect(HANDLER_TIMEOUT_SECONDS).toBe(15 * 60);
  expect(MAX_WAIT_SECONDS).toBe(14 * 60);
  expect(DEFAULT_WAIT_SECONDS).toBe(10 * 60);
  expect(MAX_WAIT_SECONDS + WAIT_MARGIN_SECONDS).toBe(HANDLER_TIMEOUT_SECONDS);
});

test('the margin after the longest wait holds the runner\'s response margin, with room for the last calls', () => {
  expect(RESPONSE_MARGIN_MS).toBeLessThan(WAIT_MARGIN_SECONDS * 1000 / 2);
});

test('the handler function\'s timeout is the handler limit', () => {
  const stack = new Stack(new App(), 'Management', { env: { account: '111111111111', region: 'us-east-1' } });
  new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { trustedAccounts: ['222222222222'] });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: HANDLER_TIMEOUT_SECONDS });
});
