// A user's jest test of their organization-scale app, with the package's test API: the StackSet rolls out
// to the OU's accounts, the acceptor accepts by OU, an account that leaves loses its instance and request.
const { LocalDeployer, startLocalProton } = require('cdk-proton-account-connections/local');

const organization = {
  managementAccountId: '999999999999',
  rootId: 'r-plat',
  organizationalUnits: [{ id: 'ou-plat-workloads', name: 'Workloads', parent: 'r-plat' }, { id: 'ou-plat-teamsabc', name: 'Teams', parent: 'ou-plat-workloads' }],
  accounts: [
    { id: '999999999999', parent: 'r-plat' },
    { id: '111111111111', parent: 'r-plat' },
    { id: '222222222222', parent: 'ou-plat-workloads' },
    { id: '333333333333', parent: 'ou-plat-teamsabc' },
  ],
  resourcePolicyReaders: ['111111111111'],
};

test('every account of the OU gets the environment side and is accepted; one that leaves loses it; nothing is left', async () => {
  const proton = await startLocalProton({ organization });
  try {
    const deployer = new LocalDeployer({
      assemblyDir: 'cdk.out.org',
      environment: { AWS_ENDPOINT_URL_PROTON: proton.url, AWS_ENDPOINT_URL_ORGANIZATIONS: proton.url },
      log: () => undefined,
    });
    await deployer.deploy();
    await deployer.rules.tick();
    const byAccount = () => Object.fromEntries(proton.admin.dump().connections.map((c) => [c.environmentAccountId, `${c.environmentName} ${c.status}`]));
    expect(byAccount()).toEqual({ '222222222222': 'workloads-222222222222 CONNECTED', '333333333333': 'workloads-333333333333 CONNECTED' });
    proton.admin.organizations.moveAccount('333333333333', 'r-plat');
    const sync = await deployer.syncStackSets();
    expect(sync.deleted.map((i) => i.account)).toEqual(['333333333333']);
    expect(byAccount()).toEqual({ '222222222222': 'workloads-222222222222 CONNECTED' });
    await deployer.destroy();
    expect(proton.admin.dump().connections).toEqual([]);
    await deployer.close();
  } finally {
    await proton.close();
  }
}, 180_000);
