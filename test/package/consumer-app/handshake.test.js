// A user's jest test of their own synthesized app, with the package's test API.
const { LocalDeployer, startLocalProton } = require('cdk-proton-account-connections/local');

test('the synthesized app files its request and the management account accepts it: CONNECTED, then nothing left', async () => {
  const proton = await startLocalProton();
  try {
    const deployer = new LocalDeployer({ assemblyDir: 'cdk.out', environment: { AWS_ENDPOINT_URL_PROTON: proton.url }, log: () => undefined });
    await deployer.deploy();
    expect(proton.admin.dump().connections).toEqual([
      expect.objectContaining({ status: 'CONNECTED', environmentName: 'dev', environmentAccountId: '222222222222', managementAccountId: '111111111111' }),
    ]);
    await deployer.destroy();
    expect(proton.admin.dump().connections).toEqual([]);
  } finally {
    await proton.close();
  }
}, 120_000);
