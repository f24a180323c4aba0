import { App } from 'aws-cdk-lib';
import { FULL_ACCESS_REASON, FULL_ACCESS_RULE, acknowledgeExampleChoices, hardenApp } from './control-tower-setup';
import { buildMultiEnvironmentApp } from '../../examples/multi-environment-app/multi-environment-app';
import { PLATFORM } from '../../examples/multi-environment-app/platform-config';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';
import { GuardFinding, controlTowerReport, guardedApp } from '../support/guard';
import { awsSolutionsFindings } from '../support/nag';

const CONNECTION_PROVIDER = 'ProtonEnvironmentAccountConnectionProvider';
const ACCEPTOR_PROVIDER = 'ProtonConnectionAcceptorProvider';

interface Example {
  readonly name: string;
  readonly build: (app: App) => void;
  /** Stacks holding a connection handler, and stacks holding an acceptor handler. */
  readonly connectionStacks: string[];
  readonly acceptorStacks: string[];
}

const EXAMPLES: Example[] = [
  {
    name: 'two-account-app',
    build: (app) => buildTwoAccountApp(app),
    connectionStacks: ['EnvironmentAccountStack'],
    acceptorStacks: ['ManagementAccountStack'],
  },
  {
    name: 'multi-environment-app',
    build: (app) => buildMultiEnvironmentApp(app, PLATFORM),
    connectionStacks: PLATFORM.environmentAccounts.map((account) => `Platform${account.name}`),
    acceptorStacks: ['PlatformManagement'],
  },
];

/**
 * The trade-off a user makes by not hardening: per handler, its log group is not encrypted with a
 * customer managed key (CT.CLOUDWATCH.PR.3) and the function runs outside a VPC (CT.LAMBDA.PR.3).
 * These are never acknowledged: the hardened option removes them.
 */
function defaultTradeOffs(example: Example): GuardFinding[] {
  const handlers = [
    ...example.connectionStacks.map((stack) => `${stack}/${CONNECTION_PROVIDER}`),
    ...example.acceptorStacks.map((stack) => `${stack}/${ACCEPTOR_PROVIDER}`),
  ];
  return handlers.flatMap((provider) => [
    { rule: 'cloudwatch_log_group_encrypted_check', control: 'CT.CLOUDWATCH.PR.3', path: `${provider}/Logs/Resource` },
    { rule: 'lambda_inside_vpc_check', control: 'CT.LAMBDA.PR.3', path: `${provider}/Handler/Resource` },
  ]).sort((a, b) => a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule));
}

describe.each(EXAMPLES)('$name', (example) => {
  test('default: the Control Tower findings are exactly the handler trade-offs that handlerOptions removes', () => {
    const app = guardedApp();
    example.build(app);
    const roles = acknowledgeExampleChoices(app);
    const report = controlTowerReport(app);
    expect(report.findings).toEqual(defaultTradeOffs(example));
    expect(report.acknowledged.map(({ rule, path, reason }) => ({ rule, path, reason })))
      .toEqual(roles.sort().map((path) => ({ rule: FULL_ACCESS_RULE, path, reason: FULL_ACCESS_REASON })));
  });

  test('hardened: zero unacknowledged Control Tower findings, and the only acknowledgements are the example\'s own', () => {
    const app = guardedApp();
    const injector = hardenApp(app);
    example.build(app);
    const roles = acknowledgeExampleChoices(app);
    const report = controlTowerReport(app);
    expect(report.findings).toEqual([]);
    expect(report.acknowledged.map(({ rule, path }) => ({ rule, path })))
      .toEqual(roles.sort().map((path) => ({ rule: FULL_ACCESS_RULE, path })));
    // one call per handler: every handler of every stack is hardened
    expect(injector.calls.sort()).toEqual([
      ...example.connectionStacks.map((stack) => `${stack}/${CONNECTION_PROVIDER}`),
      ...example.acceptorStacks.map((stack) => `${stack}/${ACCEPTOR_PROVIDER}`),
    ].sort());
  });

  test.each([['default', false], ['hardened', true]])('%s: zero unacknowledged cdk-nag AwsSolutions findings', (_name, hardened) => {
    const app = new App();
    if (hardened) hardenApp(app);
    example.build(app);
    expect(awsSolutionsFindings(app)).toEqual([]);
  });
});
