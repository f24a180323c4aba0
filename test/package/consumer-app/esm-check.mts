// An ESM TypeScript set-up (module and moduleResolution nodenext) imports both entry points.
import { EnvironmentAccountConnection } from 'cdk-proton-account-connections';
import { LocalDeployer, runHandshake, startLocalProton, type LocalProton } from 'cdk-proton-account-connections/local';

export async function connections(assemblyDir: string): Promise<number> {
  const proton: LocalProton = await startLocalProton();
  try {
    await new LocalDeployer({ assemblyDir, environment: { AWS_ENDPOINT_URL_PROTON: proton.url } }).deploy();
    return proton.admin.dump().connections.length;
  } finally {
    await proton.close();
  }
}
export const entryPoints = [EnvironmentAccountConnection.isEnvironmentAccountConnection, runHandshake];
