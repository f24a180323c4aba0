/**
 * `npx projen demo:organization`: the organization example, offline. The local endpoint serves
 * `organization.json` (an OU with a nested sub-OU holding 3 accounts, an account in another OU);
 * the local deployer deploys the synthesized app: the StackSet's instances file one request per
 * account of the OU, the acceptor's sweep accepts them by OU membership. A 4th account joins the
 * nested OU: auto-deployment gives it an instance, whose request the sweep accepts on its event,
 * without a redeploy. The outside account's request stays PENDING. Everything is destroyed.
 *
 * Usage: node --require ts-node/register/transpile-only examples/organization-app/demo.ts <cdk.out>
 */
import * as fs from 'fs';
import * as path from 'path';
import { ORGANIZATION } from './organization-app';
import { accountsUnder, LocalDeployer } from '../../local/deployer';
import type { OrganizationDocument } from '../../local/organizations';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';
import type { DumpedConnection } from '../../local/proton-endpoint';

const JOINING_ACCOUNT = '555555555555';
const JOINING_OU = 'ou-demo-services';

async function main(assemblyDir: string): Promise<void> {
  const started = Date.now();
  const step = (text: string) => console.log(`\n==> ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const document = JSON.parse(fs.readFileSync(path.join(__dirname, 'organization.json'), 'utf8')) as OrganizationDocument;
  let endpoint: LocalProton | undefined;
  let deployer: LocalDeployer | undefined;
  try {
    step('starting the local endpoint (AWS Proton and the Organizations read API) with examples/organization-app/organization.json');
    endpoint = await startLocalProton({ organization: document });
    const proton = endpoint;
    console.log(`    listening on ${proton.url}`);
    const inOu = accountsInTree(proton, ORGANIZATION.platformOrganizationalUnit);
    console.log(`    ${ORGANIZATION.platformOrganizationalUnit} (nested OUs included): ${inOu.join(', ')}`);

    deployer = new LocalDeployer({
      assemblyDir,
      environment: { AWS_ENDPOINT_URL_PROTON: proton.url, AWS_ENDPOINT_URL_ORGANIZATIONS: proton.url },
      log: (line) => console.log(`    ${line}`),
    });
    step('deploying the app: the StackSet gives every account of the OU an instance, which files its request; '
      + 'the acceptor\'s sweep, run by each PENDING event, reads the OU tree once and accepts each ACTIVE member\'s derived name');
    await deployer.deploy();
    show(proton.admin.dump().connections);

    step('the acceptor\'s scheduled sweep: it accepts what the events missed, and leaves the outside account\'s request PENDING');
    const [sweep] = await deployer.rules.tick();
    console.log(`    sweep ${sweep?.outcome}: ${JSON.stringify(sweep?.result)}`);
    const atStart = proton.admin.dump().connections;
    show(atStart);
    const connectedAtStart = inOu.filter((account) => statusOf(atStart, account) === 'CONNECTED');

    step(`account ${JOINING_ACCOUNT} joins ${JOINING_OU} (nested in ${ORGANIZATION.platformOrganizationalUnit}): auto-deployment, no redeploy`);
    proton.admin.organizations.addAccount({ id: JOINING_ACCOUNT, name: 'payments-eu', parent: JOINING_OU });
    const sync = await deployer.syncStackSets();
    console.log(`    instances created: ${sync.created.map((i) => `${i.account}/${i.region}`).join(', ') || 'none'}`);
    const delivered = await deployer.rules.deliverEvents();
    console.log(`    Proton's PENDING event ran ${delivered.length} sweep(s): ${delivered.map((i) => i.outcome).join(', ')}`);
    const afterJoin = proton.admin.dump().connections;
    show(afterJoin);
    const joinedConnected = statusOf(afterJoin, JOINING_ACCOUNT) === 'CONNECTED' ? 1 : 0;
    const outsidePending = statusOf(afterJoin, ORGANIZATION.outsideAccount) === 'PENDING' ? 1 : 0;
    console.log(`    Organizations calls: ${JSON.stringify(proton.admin.organizations.callCounts().byOperation)}`);

    step('destroying everything: the StackSet\'s instances first, each deleting its request');
    await deployer.destroy();
    const left = proton.admin.dump().connections.length;
    await deployer.close();
    deployer = undefined;

    const line = `organization demo: ${inOu.length} accounts in the OU, ${connectedAtStart.length} CONNECTED, ${joinedConnected} joined later and CONNECTED, `
      + `${outsidePending} outside the OU left PENDING, ${left} connections left after destroy`;
    const expected = connectedAtStart.length === inOu.length && inOu.length > 0 && joinedConnected === 1 && outsidePending === 1 && left === 0;
    console.log(`\n${line}`);
    if (!expected) process.exitCode = 1;
  } finally {
    await deployer?.close();
    await endpoint?.close();
  }
}

/** The ACTIVE accounts a StackSet targeting `ou` deploys to (nested OUs included). */
function accountsInTree(proton: LocalProton, ou: string): string[] {
  const org = proton.admin.organizations.organization();
  const active = new Set(org.accounts.filter((a) => a.status === 'ACTIVE').map((a) => a.id));
  return accountsUnder(org, [ou]).filter((id) => active.has(id));
}

function statusOf(connections: DumpedConnection[], account: string): string | undefined {
  return connections.find((c) => c.environmentAccountId === account)?.status;
}

function show(connections: DumpedConnection[]): void {
  for (const c of connections) {
    console.log(`    ${c.id}  ${c.status.padEnd(9)}  environment "${c.environmentName}"  ${c.environmentAccountId} -> ${c.managementAccountId}  ${c.region}`);
  }
}

main(process.argv[2] ?? 'cdk.out.organization').catch((error: unknown) => {
  console.error(`\norganization demo FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
