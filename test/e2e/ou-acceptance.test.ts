/**
 * Acceptance by OU membership, end to end and offline: a management stack whose acceptor trusts an
 * organizational unit (and lists no account), an environment stack filing the request for its derived
 * name, both deployed by the local deployer; the acceptor's bundled handler, run by the deployed
 * event rule and schedule, reads the organization from the local endpoint's Organizations surface
 * (`AWS_ENDPOINT_URL_ORGANIZATIONS`) and accepts. An account that joins the OU later is accepted by
 * the next sweep without a redeploy; an account outside the OU stays PENDING.
 */
import { CreateEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { Stack } from 'aws-cdk-lib';
import { LocalDeployer, RuleInvocation } from '../../local/deployer';
import type { OrganizationDocument } from '../../local/organizations';
import {
  EnvironmentAccountConnection, EnvironmentAccountConnectionAcceptor, EnvironmentAccountProtonRole, EnvironmentNaming,
} from '../../src';
import { ENVIRONMENT_ENV, MANAGEMENT_ENV, useE2eWorkspace } from '../support/e2e-workspace';
import { ENVIRONMENT_ACCOUNT, MANAGEMENT_ACCOUNT, protonClientFor, roleArn, useLocalProton } from '../support/local-proton';

const PLATFORM = 'ou-test-platform';
const NESTED = 'ou-test-nested01';
const JOINER = '131313131313';
const OUTSIDE = '555555555555';
const ORGANIZATION: OrganizationDocument = {
  managementAccountId: '999999999999',
  rootId: 'r-test',
  organizationalUnits: [{ id: PLATFORM, name: 'Platform', parent: 'r-test' }, { id: NESTED, name: 'Nested', parent: PLATFORM }],
  accounts: [
    { id: '999999999999', parent: 'r-test' },
    { id: MANAGEMENT_ACCOUNT, parent: 'r-test' },
    { id: ENVIRONMENT_ACCOUNT, parent: NESTED },
    { id: OUTSIDE, parent: 'r-test' },
  ],
  resourcePolicyReaders: [MANAGEMENT_ACCOUNT],
};
const naming = EnvironmentNaming.accountIdWithPrefix('platform');

const endpoint = useLocalProton({ organization: ORGANIZATION });
const workspace = useE2eWorkspace('ou-acceptance-');

const statusOf = (id: string) => endpoint().admin.dump().connections.find((c) => c.id === id)?.status;
const sweepOf = (invocation: RuleInvocation | undefined) => invocation?.result as { accepted: string[]; rejected: string[]; leftPending: string[] } | undefined;

async function file(account: string, environmentName: string): Promise<string> {
  const client = protonClientFor(endpoint(), account);
  try {
    const created = await client.send(new CreateEnvironmentAccountConnectionCommand({
      managementAccountId: MANAGEMENT_ACCOUNT, environmentName, roleArn: roleArn(`proton-${environmentName}`, account),
    }));
    return created.environmentAccountConnection!.id!;
  } finally {
    client.destroy();
  }
}

test('the bundled acceptor accepts an OU member\'s derived name on the schedule, a joining account on its event, and leaves an outsider PENDING', async () => {
  const assembly = workspace.synth((app) => {
    const management = new Stack(app, 'Mgmt', { env: MANAGEMENT_ENV });
    new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', {
      continuousAcceptance: {},
      trustedOrganizationalUnits: [{ organizationalUnitIds: [PLATFORM], environmentNaming: naming }],
    });
    const environment = new Stack(app, 'Env', { env: ENVIRONMENT_ENV });
    const name = naming.environmentNameFor(ENVIRONMENT_ACCOUNT);
    new EnvironmentAccountConnection(environment, 'Request', {
      managementAccountId: MANAGEMENT_ACCOUNT,
      environmentName: name,
      role: new EnvironmentAccountProtonRole(environment, 'Role', { managementAccountId: MANAGEMENT_ACCOUNT, environmentNames: [name] }),
    });
  });
  const lines: string[] = [];
  const deployer = new LocalDeployer({
    assemblyDir: assembly,
    stateFile: workspace.stateFile(),
    environment: { AWS_ENDPOINT_URL_PROTON: endpoint().url, AWS_ENDPOINT_URL_ORGANIZATIONS: endpoint().url },
    log: (line) => lines.push(line),
  });
  await deployer.deploy();
  // the management stack deployed with nothing to wait for; the request is PENDING until a sweep
  const [request] = endpoint().admin.dump().connections;
  expect(request).toMatchObject({ environmentName: `platform-${ENVIRONMENT_ACCOUNT}`, status: 'PENDING' });
  expect(lines.join('\n')).toContain('nothing to accept at deploy: the trusted organizational units\' requests are accepted by the continuous sweep');

  // filed before the management stack's rules existed: the schedule's next firing accepts it
  const [swept] = await deployer.rules.tick();
  expect(swept).toMatchObject({ trigger: 'schedule', outcome: 'succeeded' });
  expect(sweepOf(swept)).toEqual({ accepted: [request.id], rejected: [], leftPending: [] });
  expect(statusOf(request.id)).toBe('CONNECTED');
  expect(endpoint().admin.organizations.callCounts().byOperation).toEqual({ ListAccountsForParent: 2, ListChildren: 2 });

  // an account joins the OU after deployment and files: its PENDING event reaches the rule, whose sweep accepts it;
  // an account outside the OU files too and stays PENDING
  endpoint().admin.organizations.addAccount({ id: JOINER, parent: NESTED });
  const joined = await file(JOINER, `platform-${JOINER}`);
  const outside = await file(OUTSIDE, `platform-${OUTSIDE}`);
  const delivered = await deployer.rules.deliverEvents();
  expect(delivered.length).toBeGreaterThan(0);
  expect(delivered.every((invocation) => invocation.outcome === 'succeeded')).toBe(true);
  // one PENDING event per filing, each running a sweep: sweeps that race on the same request both
  // report it accepted (the second Accept finds it CONNECTED), and it is accepted once
  expect([...new Set(delivered.flatMap((invocation) => sweepOf(invocation)!.accepted))]).toEqual([joined]);
  expect(delivered.flatMap((invocation) => sweepOf(invocation)!.rejected)).toEqual([]);
  expect(statusOf(joined)).toBe('CONNECTED');
  expect(statusOf(outside)).toBe('PENDING');

  await deployer.destroy();
  expect(endpoint().admin.dump().connections.filter((c) => c.environmentAccountId === ENVIRONMENT_ACCOUNT)).toEqual([]);
  expect(deployer.rules.list()).toEqual([]);
}, 180_000);
