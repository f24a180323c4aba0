/**
 * The offline test API of cdk-proton-account-connections (not part of the jsii API): import it
 * from `cdk-proton-account-connections/local` in a user's tests, CommonJS or ESM.
 *
 *   const proton = await startLocalProton();
 *   (with `startLocalProton({ organization })` it serves AWS Organizations' read operations too: see local/organizations)
 *   const deployer = new LocalDeployer({ assemblyDir: 'cdk.out', environment: { AWS_ENDPOINT_URL_PROTON: proton.url } });
 *   await deployer.deploy();  proton.admin.dump().connections;  await deployer.destroy();  await proton.close();
 */
export * from './proton-endpoint';
export * from './organizations';
export * from './deployer';
export { credentialsForAccount, accountFromAccessKeyId, LOCAL_ACCESS_KEY_PREFIX, LOCAL_SECRET_ACCESS_KEY } from './local-credentials';
export type { LocalCredentials } from './local-credentials';
export { runHandshake } from './handshake/handshake';
export type { HandshakeOptions, HandshakeResult } from './handshake/handshake';
