import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CustomResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeployEvent, LocalDeployer, LocalDeployerOptions } from '../../../local/deployer';

export const RECORDER_DIR = path.join(__dirname, 'fixtures', 'recorder');
export const ENV_A = { account: '222222222222', region: 'us-east-1' };
export const ENV_B = { account: '333333333333', region: 'us-east-1' };
/** A loopback endpoint for handlers that never call Proton (the deployer refuses to run without an endpoint). */
export const UNUSED_ENDPOINT = 'http://127.0.0.1:9';

const tmpRoots: string[] = [];

export function tmpDir(prefix = 'local-deployer-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpRoots.push(dir);
  return dir;
}

export function cleanupTmp(): void {
  for (const d of tmpRoots.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Synthesizes an app into `outdir` (a fresh temp dir by default), silencing the synth-time validation report. */
export function synth(build: (app: App) => void, outdir = tmpDir('cdk-out-')): string {
  const spies = [jest.spyOn(console, 'error').mockImplementation(() => undefined), jest.spyOn(console, 'warn').mockImplementation(() => undefined),
    jest.spyOn(console, 'log').mockImplementation(() => undefined)];
  const writeSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
  } finally {
    spies.forEach(s => s.mockRestore());
    writeSpy.mockRestore();
  }
  return outdir;
}

/** The recorder handler as a Lambda function that appends its events to `recordFile`. */
export function recorderFunction(stack: Stack, recordFile: string, props: Partial<lambda.FunctionProps> = {}, id = 'Handler'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(RECORDER_DIR),
    ...props,
    environment: { RECORD_FILE: recordFile, FN_VAR: `fn-${stack.stackName}`, ...props.environment },
  });
}

export function recorded(
  fn: lambda.Function, stack: Stack, id: string, properties: Record<string, unknown> = {}, resourceType?: string,
): CustomResource {
  return new CustomResource(stack, id, { serviceToken: fn.functionArn, properties, resourceType });
}

export interface Recorded {
  event: {
    RequestType: string;
    RequestId: string;
    LogicalResourceId: string;
    PhysicalResourceId?: string;
    ResourceType: string;
    ResourceProperties: Record<string, any>;
    OldResourceProperties?: Record<string, any>;
    StackId: string;
    ServiceToken: string;
    ResponseURL: string;
  };
  env: Record<string, string | undefined>;
  context: { functionName: string; awsRequestId: string; logStreamName: string; remaining: number };
}

export function readRecords(file: string): Recorded[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Recorded);
}

/** `RequestType LogicalId` of each recorded event. */
export function summary(file: string): string[] {
  return readRecords(file).map(r => `${r.event.RequestType} ${r.event.LogicalResourceId}`);
}

export interface TestDeployer {
  deployer: LocalDeployer;
  lines: string[];
  events: DeployEvent[];
}

/** A deployer that records its progress; `environment` gets AWS_ENDPOINT_URL_PROTON=UNUSED_ENDPOINT unless it sets one. */
export function deployerFor(assemblyDir: string, options: Partial<LocalDeployerOptions> = {}): TestDeployer {
  const lines: string[] = [];
  const events: DeployEvent[] = [];
  const deployer = new LocalDeployer({
    assemblyDir,
    log: l => lines.push(l),
    onEvent: e => events.push(e),
    handlerTimeoutMs: 5000,
    ...options,
    environment: { AWS_ENDPOINT_URL_PROTON: UNUSED_ENDPOINT, ...options.environment },
  });
  return { deployer, lines, events };
}

/** The logical id of the deployed resource of `type` whose id starts with `prefix`. */
export function logicalId(deployer: LocalDeployer, stack: string, prefix: string, type?: string): string {
  const resources = deployer.stackState(stack)!.resources;
  const id = Object.keys(resources).find(k => k.startsWith(prefix) && (!type || resources[k].type === type));
  if (!id) throw new Error(`no ${type ?? 'resource'} ${prefix}* in ${stack}: ${Object.keys(resources).join(', ')}`);
  return id;
}
