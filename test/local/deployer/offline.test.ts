import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { cleanupTmp, deployerFor, ENV_A, recorded, recorderFunction, synth, tmpDir } from './helpers';
import { LocalDeployer } from '../../../local/deployer';
import { OFFLINE_NETWORK_GUARD, withOfflineNetworkGuard } from '../../../local/deployer/custom-resource-invoker';

jest.setTimeout(60_000);
afterAll(cleanupTmp);

const PROBE_DIR = path.join(__dirname, 'fixtures', 'network-probe');
const PROTON_HOST = 'proton.us-east-1.amazonaws.com';
const ENOTFOUND = `ENOTFOUND|-3008|getaddrinfo|${PROTON_HOST}|getaddrinfo ENOTFOUND ${PROTON_HOST}`;
const ECONNREFUSED_ERRNO = -os.constants.errno.ECONNREFUSED;

describe('the deployer never reaches AWS', () => {
  const NO_ENDPOINT = 'the local deployer never calls AWS: give handlers a local endpoint '
    + '(environment.AWS_ENDPOINT_URL_PROTON, e.g. the url of startLocalProton(); CLI: --endpoint URL); '
    + 'LocalDeployerOptions.environment sets neither AWS_ENDPOINT_URL_PROTON nor AWS_ENDPOINT_URL';

  test.each([
    ['no environment', undefined],
    ['an environment without an endpoint', { EXTRA: 'x' }],
    ['empty endpoints', { AWS_ENDPOINT_URL_PROTON: '', AWS_ENDPOINT_URL: ' ' }],
  ])('deploy() and destroy() with %s stop at once, before running anything', async (_, environment) => {
    const work = tmpDir();
    const record = path.join(work, 'events.jsonl');
    const stateFile = path.join(work, 'state.json');
    const dir = synth(a => {
      const s = new Stack(a, 'Offline', { env: ENV_A });
      recorded(recorderFunction(s, record), s, 'Conn');
    });
    const lines: string[] = [];
    const deployer = new LocalDeployer({ assemblyDir: dir, stateFile, environment, log: l => lines.push(l) });
    await expect(deployer.deploy()).rejects.toThrow(new Error(`LocalDeployer.deploy(): ${NO_ENDPOINT}`));
    await expect(deployer.destroy(['Offline'])).rejects.toThrow(new Error(`LocalDeployer.destroy(): ${NO_ENDPOINT}`));
    expect(lines).toEqual([]);
    expect(fs.existsSync(record)).toBe(false);
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  test('AWS_ENDPOINT_URL alone is a local endpoint too', async () => {
    const record = path.join(tmpDir(), 'events.jsonl');
    const dir = synth(a => {
      const s = new Stack(a, 'Generic', { env: ENV_A });
      recorded(recorderFunction(s, record), s, 'Conn');
    });
    const deployer = new LocalDeployer({ assemblyDir: dir, environment: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, log: () => undefined });
    expect((await deployer.deploy()).stacks.Generic.outcome).toBe('CREATE_COMPLETE');
    await deployer.destroy();
    expect(deployer.deployedStacks()).toEqual([]);
  });

  test("handlers are offline: Proton's real hostname does not resolve, non-loopback addresses refuse, loopback works", async () => {
    const server = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const dir = synth(a => {
        const s = new Stack(a, 'Probe', { env: ENV_A });
        const fn = new lambda.Function(s, 'Handler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset(PROBE_DIR),
          environment: { NODE_OPTIONS: '--max-http-header-size=16384' },
        });
        recorded(fn, s, 'Probe', {
          Address: '192.0.2.1',
          LoopbackUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
          SdkPath: require.resolve('@aws-sdk/client-proton'),
        });
      });
      // the end-of-support case "Proton's hostname no longer resolves", emulated offline
      const { deployer } = deployerFor(dir, { environment: { AWS_ENDPOINT_URL_PROTON: `https://${PROTON_HOST}` } });
      await deployer.deploy();
      expect(deployer.resourceAttributes('Probe', 'Probe')).toEqual({
        guarded: 'true',
        nodeOptions: `--max-http-header-size=16384 --require ${JSON.stringify(OFFLINE_NETWORK_GUARD)}`,
        maxHeaderSize: '16384',
        lookup: ENOTFOUND,
        lookupAsync: 'true',
        https: ENOTFOUND,
        connect: `ECONNREFUSED|${ECONNREFUSED_ERRNO}|connect|192.0.2.1|connect ECONNREFUSED 192.0.2.1:443`,
        loopback: '200 hello',
        sdk: `Error: ${ENOTFOUND}`,
      });
      await deployer.destroy();
    } finally {
      server.close();
    }
  });

  test('the preload is appended to NODE_OPTIONS, which is kept', () => {
    const preload = `--require ${JSON.stringify(OFFLINE_NETWORK_GUARD)}`;
    expect(OFFLINE_NETWORK_GUARD).toBe(path.join(__dirname, '..', '..', '..', 'local', 'deployer', 'offline-network-guard.js'));
    expect(withOfflineNetworkGuard({ A: 'a' })).toEqual({ A: 'a', NODE_OPTIONS: preload });
    expect(withOfflineNetworkGuard({ NODE_OPTIONS: ' --no-warnings ' })).toEqual({ NODE_OPTIONS: `--no-warnings ${preload}` });
  });
});
