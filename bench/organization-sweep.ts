/**
 * Scale benchmark of OU acceptance: one sweep of the acceptor's continuous acceptance over an
 * organization whose trusted OU tree has depth 3 and 1,000 accounts, every one with a PENDING
 * request, on the local endpoint (Proton and the Organizations read surface side by side).
 * Reports Organizations and Proton calls per sweep, the pages the OU trees need at the least
 * (the target: no more calls than that, no per-account call), the sweep's wall time, and the
 * Organizations request rate the sweep needs to fit one 15-minute Lambda invocation.
 *
 *   npx projen bench:organization      # writes bench/ORGANIZATION-SWEEP.md
 */
import * as fs from 'fs';
import * as path from 'path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import { App } from 'aws-cdk-lib';
import { describeMachine, loadAverage } from './machine';
import { ensureHandlersBundled } from '../examples/handler-assets';
import { buildOrganizationApp } from '../examples/organization-app/organization-app';
import { credentialsForAccount } from '../local/local-credentials';
import type { OrganizationDocument } from '../local/organizations';
import { startLocalProton } from '../local/proton-endpoint';
import { sweep } from '../src/acceptor/handler/continuous-sweep';
import { HANDLER_TIMEOUT_SECONDS } from '../src/shared/handler-limits';

const PROTON_MANAGEMENT = '111111111111';
const ORGANIZATION_MANAGEMENT = '999999999999';
const BRANCHING = 10; // OUs per OU: 1 + 10 + 100 OUs in three levels
const ACCOUNTS = 1000; // spread over the 100 deepest OUs
const MAX_RESULTS = 20; // the Organizations List* page size the SDK's paginators ask for by default (the model's maximum)
const PREFIX = 'platform';

function ouId(level: number, index: number): string {
  return `ou-bnch-${String(level)}${String(index).padStart(7, '0')}`;
}

function organization(): { document: OrganizationDocument; members: { id: string }[]; minimumPages: number; trusted: string } {
  const root = 'r-bnch';
  const trusted = ouId(1, 0);
  const units: { id: string; name: string; parent: string }[] = [{ id: trusted, name: 'Platform', parent: root }];
  const level2 = Array.from({ length: BRANCHING }, (_, i) => ({ id: ouId(2, i), name: `Platform-${i}`, parent: trusted }));
  const level3 = level2.flatMap((parent, i) => Array.from({ length: BRANCHING }, (_, j) => ({ id: ouId(3, i * BRANCHING + j), name: `Team-${i}-${j}`, parent: parent.id })));
  units.push(...level2, ...level3);
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({ id: String(100000000000 + i), parent: level3[i % level3.length].id }));
  const children = new Map<string, number>();
  const members = new Map<string, number>();
  for (const unit of units) children.set(unit.parent, (children.get(unit.parent) ?? 0) + 1);
  for (const account of accounts) members.set(account.parent, (members.get(account.parent) ?? 0) + 1);
  // one page at least per List call, then one per MAX_RESULTS entries
  const pages = (count: number) => Math.max(1, Math.ceil(count / MAX_RESULTS));
  const minimumPages = units.reduce((sum, unit) => sum + pages(members.get(unit.id) ?? 0) + pages(children.get(unit.id) ?? 0), 0);
  return {
    document: {
      managementAccountId: ORGANIZATION_MANAGEMENT,
      rootId: root,
      organizationalUnits: units,
      accounts: [{ id: ORGANIZATION_MANAGEMENT, parent: root }, { id: PROTON_MANAGEMENT, parent: root }, ...accounts],
      resourcePolicyReaders: [PROTON_MANAGEMENT],
    },
    members: accounts,
    minimumPages,
    trusted,
  };
}

interface TemplateSizes {
  readonly stackSetBody: number;
  readonly stackSetResources: number;
  readonly stackSetStack: number;
  readonly management: number;
  readonly managementResources: number;
}

/** Template bytes (minified JSON, as CloudFormation receives them) and resources of both sides, from the organization example. */
function templateSizes(): TemplateSizes {
  ensureHandlersBundled();
  const assembly = new App();
  buildOrganizationApp(assembly);
  const cloud = assembly.synth();
  type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const template = (id: string) => cloud.getStackArtifact(id).template as Template;
  const bytes = (value: unknown) => Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value));
  const stackSetStack = template('ProtonEnvironmentStackSet');
  const [stackSet] = Object.values(stackSetStack.Resources).filter((r) => r.Type === 'AWS::CloudFormation::StackSet');
  const body = stackSet.Properties.TemplateBody as string;
  const management = template('ProtonManagement');
  return {
    stackSetBody: bytes(body),
    stackSetResources: Object.keys(JSON.parse(body).Resources).length,
    stackSetStack: bytes(stackSetStack),
    management: bytes(management),
    managementResources: Object.keys(management.Resources).length,
  };
}

async function main(): Promise<void> {
  const sizes = templateSizes();
  const { document, members, minimumPages, trusted } = organization();
  const endpoint = await startLocalProton({ organization: document, quotaPerEnvironmentAccount: 10 });
  try {
    process.stdout.write(`filing ${members.length} PENDING requests...\n`);
    for (const account of members) {
      const proton = new ProtonClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: credentialsForAccount(account.id) });
      await proton.send(new CreateEnvironmentAccountConnectionCommand({
        managementAccountId: PROTON_MANAGEMENT,
        environmentName: `${PREFIX}-${account.id}`,
        roleArn: `arn:aws:iam::${account.id}:role/proton-environment`,
      }));
    }
    endpoint.admin.resetCallCounts();
    endpoint.admin.organizations.resetCallCounts();
    const protonBefore = endpoint.admin.callCounts().byOperation;
    const started = process.hrtime.bigint();
    const result = await sweep({ sweep: { allowListPath: '/bench', rejectUnlisted: false } }, {
      proton: new ProtonClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: credentialsForAccount(PROTON_MANAGEMENT) }),
      loadAllowList: async () => ({ pairs: [], accounts: [], organizationalUnits: [{ ids: [trusted], prefix: PREFIX }] }),
      organizations: () => new OrganizationsClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: credentialsForAccount(PROTON_MANAGEMENT), maxAttempts: 10, retryMode: 'adaptive' }),
      log: () => undefined,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const organizationsCalls = endpoint.admin.organizations.callCounts().byOperation;
    const protonAfter = endpoint.admin.callCounts().byOperation;
    const protonCalls = Object.fromEntries(Object.entries(protonAfter)
      .map(([operation, count]) => [operation, count - (protonBefore[operation] ?? 0)] as const).filter(([, count]) => count > 0));
    const organizationsTotal = Object.values(organizationsCalls).reduce((a, b) => a + b, 0);
    const neededRate = organizationsTotal / HANDLER_TIMEOUT_SECONDS;
    const report = [
      '# OU acceptance at scale (generated by `npx projen bench:organization`; do not edit)',
      '',
      `Command: \`npx projen bench:organization\`. Machine: ${JSON.stringify(describeMachine())}, load ${loadAverage().join(' / ')}. ${new Date().toISOString()}.`,
      '',
      `One continuous-acceptance sweep, on the local endpoint, of an organization whose trusted OU tree has depth 3 (1 + ${BRANCHING} + ${BRANCHING * BRANCHING} OUs) and ${members.length} ACTIVE accounts (10 per deepest OU), every one with a PENDING request for its derived name (\`${PREFIX}-<account id>\`).`,
      '',
      '| measure | value | target | result |',
      '|---|---|---|---|',
      `| Organizations calls per sweep | ${organizationsTotal} (${Object.entries(organizationsCalls).map(([op, n]) => `${op} ${n}`).join(', ')}) | at most the ${minimumPages} pages that enumerate the trusted tree once; no per-account call | ${organizationsTotal <= minimumPages && !organizationsCalls.DescribeAccount && !organizationsCalls.ListParents ? 'PASS' : 'MISS'} |`,
      `| Proton calls per sweep | ${Object.entries(protonCalls).map(([op, n]) => `${op} ${n}`).join(', ')} | one list (paged by 100) and one Accept per request | ${protonCalls.AcceptEnvironmentAccountConnection === members.length ? 'PASS' : 'MISS'} |`,
      `| accepted | ${result.accepted.length} of ${members.length} | all | ${result.accepted.length === members.length ? 'PASS' : 'MISS'} |`,
      `| sweep wall time, local tools | ${seconds.toFixed(2)} s | one Lambda invocation (${HANDLER_TIMEOUT_SECONDS} s) | ${seconds < HANDLER_TIMEOUT_SECONDS ? 'PASS' : 'MISS'} |`,
      `| environment side: the StackSet's template (TemplateBody, one for every account and Region) | ${sizes.stackSetBody.toLocaleString('en-US')} bytes, ${sizes.stackSetResources} resources; its stack ${sizes.stackSetStack.toLocaleString('en-US')} bytes | within TemplateBody's 51,200 bytes, whatever the number of accounts | ${sizes.stackSetBody <= 51_200 ? 'PASS' : 'MISS'} |`,
      `| management side: the acceptor's stack (trusting one OU) | ${sizes.management.toLocaleString('en-US')} bytes, ${sizes.managementResources} resources | the same for 1 or 1,000 accounts (it stores OU ids, not accounts) | - |`,
      `| Organizations rate the sweep needs to fit ${HANDLER_TIMEOUT_SECONDS} s | ${neededRate.toFixed(2)} requests/s sustained (its ${organizationsTotal} calls; adaptive retry backs off on TooManyRequestsException) | (a figure to hold against the organization's Organizations request quota) | - |`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(__dirname, 'ORGANIZATION-SWEEP.md'), report);
    process.stdout.write(report);
  } finally {
    await endpoint.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
