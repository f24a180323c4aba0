/**
 * Issue "lifecycle that never wedges a stack", end to end: the bundled handlers run by the local
 * deployer in CloudFormation's order (rollback sequences included), one stack at a time as
 * `cdk deploy` does, against the local Proton endpoint, which can also be shut down the ways
 * AWS Proton may answer after its end of support.
 */
import * as path from 'path';
import { RejectEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';
import { DeployEvent, LocalDeployer } from '../../local/deployer';
import { invokeCustomResource } from '../../local/deployer/custom-resource-invoker';
import { STACK_TYPE } from '../../local/deployer/progress';
import {
  EnvironmentAccountConnection,
  EnvironmentAccountConnectionAcceptor,
  EnvironmentAccountProtonRole,
  ProtonEnvironmentLink,
} from '../../src';
import { END_OF_SUPPORT_CONTEXT_KEY } from '../../src/shared/end-of-support';
import { ENVIRONMENT_ENV, MANAGEMENT_ENV, useE2eWorkspace } from '../support/e2e-workspace';
import { ENVIRONMENT_ACCOUNT, MANAGEMENT_ACCOUNT, protonClientFor, useLocalProton } from '../support/local-proton';

const endpoint = useLocalProton();
const { synth, stateFile } = useE2eWorkspace('never-wedges-');
const ENV = ENVIRONMENT_ENV;
const MGMT = MANAGEMENT_ENV;
/** Handlers give a service that looks gone 2 s instead of 45 s. */
const SHORT_GONE_BOUND = { CDK_PROTON_SERVICE_GONE_BOUND_SECONDS: '2' };

interface Run {
  readonly deployer: LocalDeployer;
  readonly lines: string[];
  readonly events: DeployEvent[];
}

function deployer(assemblyDir: string, state: string, options: { parameters?: Record<string, Record<string, string>>; environment?: Record<string, string> } = {}): Run {
  const lines: string[] = [];
  const events: DeployEvent[] = [];
  const run = new LocalDeployer({
    assemblyDir,
    stateFile: state,
    environment: { AWS_ENDPOINT_URL_PROTON: endpoint().url, ...SHORT_GONE_BOUND, ...options.environment },
    parameters: options.parameters,
    log: (line) => lines.push(line),
    onEvent: (event) => events.push(event),
  });
  return { deployer: run, lines, events };
}

const connections = () => endpoint().admin.dump().connections;
const stackEvents = (run: Run) => run.events.filter((e) => e.resourceType === STACK_TYPE);
const stackStatuses = (run: Run) => stackEvents(run).map((e) => e.status);

/** An environment stack whose first connection's name is a CloudFormation parameter (a token at synth). */
function parameterStack(app: App, options: { second?: boolean } = {}): Stack {
  const stack = new Stack(app, 'Env', { env: ENV });
  const name = new CfnParameter(stack, 'EnvName', { default: 'dev' }).valueAsString;
  const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT_ACCOUNT, trustAllEnvironments: true });
  new EnvironmentAccountConnection(stack, 'Dev', { managementAccountId: MANAGEMENT_ACCOUNT, environmentName: name, role });
  if (options.second) {
    const qa = new CfnParameter(stack, 'QaName', { default: 'qa' }).valueAsString;
    new EnvironmentAccountConnection(stack, 'Qa', { managementAccountId: MANAGEMENT_ACCOUNT, environmentName: qa, role });
  }
  return stack;
}

describe('deletes and rollbacks complete, whatever the properties', () => {
  const assembly = () => synth((app) => parameterStack(app));

  test('a Create that fails on a token\'s value rolls back (Delete with the FAILED physical id): ROLLBACK_COMPLETE, nothing left', async () => {
    const run = deployer(assembly(), stateFile(), { parameters: { Env: { EnvName: 'not a valid name!' } } });
    await expect(run.deployer.deploy()).rejects.toThrow(/invalid EnvironmentName "not a valid name!"/);
    expect(stackStatuses(run)).toEqual(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE']);
    const deleted = run.events.find((e) => e.logicalId?.startsWith('Dev') && e.status === 'DELETE_COMPLETE');
    expect(deleted?.physicalId).toMatch(/^not-created-/);
    expect(run.deployer.stackState('Env')).toBeUndefined();
    expect(connections()).toEqual([]);
    expect(endpoint().admin.callCounts().total).toBe(0);
  }, 60_000);

  test('an Update that fails on a token\'s value rolls back (old and new swapped): UPDATE_ROLLBACK_COMPLETE, the connection unchanged', async () => {
    const state = stateFile();
    const dir = assembly();
    await deployer(dir, state).deployer.deploy();
    const [before] = connections();
    const run = deployer(dir, state, { parameters: { Env: { EnvName: 'not a valid name!' } } });
    await expect(run.deployer.deploy()).rejects.toThrow(/invalid EnvironmentName "not a valid name!"/);
    expect(stackStatuses(run).slice(-2)).toEqual(['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
    expect(run.deployer.stackState('Env')?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(connections()).toEqual([expect.objectContaining({ id: before.id, environmentName: 'dev', status: 'PENDING' })]);
    await deployer(dir, state).deployer.destroy();
    expect(connections()).toEqual([]);
  }, 60_000);

  test('the rollback of a replacement: a rename rolled back by a failure elsewhere keeps the old connection and leaves no new one', async () => {
    const state = stateFile();
    const dir = synth((app) => parameterStack(app, { second: true }));
    await deployer(dir, state).deployer.deploy();
    const dev = connections().find((c) => c.environmentName === 'dev')!;
    const run = deployer(dir, state, { parameters: { Env: { EnvName: 'dev-v2', QaName: 'not a valid name!' } } });
    await expect(run.deployer.deploy()).rejects.toThrow(/invalid EnvironmentName "not a valid name!"/);
    expect(run.deployer.stackState('Env')?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(connections().map((c) => [c.environmentName, c.id]).sort()).toEqual([['dev', dev.id], ['qa', expect.any(String)]]);
    expect(run.deployer.physicalResourceId('Env', Object.keys(run.deployer.stackState('Env')!.resources).find((id) => id.startsWith('Dev'))!)).toBe(dev.id);
    await deployer(dir, state).deployer.destroy();
    expect(connections()).toEqual([]);
  }, 90_000);

  test('an unknown request type, sent to the bundled handlers, fails naming it and calls nothing', async () => {
    for (const handler of ['connection/handler/connection-handler.lambda', 'acceptor/handler/acceptor-handler.lambda']) {
      const result = await invokeCustomResource({
        requestType: 'Import' as 'Create',
        serviceToken: 'arn:aws:lambda:us-east-1:222222222222:function:handler',
        stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/Env/5b0b1a40-0000-4000-8000-000000000000',
        logicalId: 'Resource',
        resourceType: 'Custom::Test',
        properties: { ManagementAccountId: MANAGEMENT_ACCOUNT, EnvironmentName: 'dev', RoleArn: `arn:aws:iam::${ENVIRONMENT_ACCOUNT}:role/r`, Pairs: [`${ENVIRONMENT_ACCOUNT}/dev`] },
        physicalId: 'abc',
        fn: {
          functionName: 'handler',
          arn: 'arn:aws:lambda:us-east-1:222222222222:function:handler',
          handler: 'index.handler',
          runtime: 'nodejs24.x',
          codeDirectory: path.join(__dirname, '..', '..', 'assets', handler),
          timeoutSeconds: 30,
          memorySize: 256,
          environment: {},
        },
        region: 'us-east-1',
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: `LOCAL${ENVIRONMENT_ACCOUNT}`, AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL_PROTON: endpoint().url },
        timeoutMs: 30_000,
        deliveries: 1,
        onOutput: () => undefined,
      });
      expect(result.response).toMatchObject({ status: 'FAILED', physicalId: 'abc', reason: expect.stringContaining('unknown request type "Import"') });
    }
    expect(endpoint().admin.callCounts().total).toBe(0);
  }, 60_000);
});

describe('after end of support, every stack can be destroyed', () => {
  const twoAccount = () => synth(buildTwoAccountApp);

  async function deployed(): Promise<{ dir: string; state: string }> {
    const dir = twoAccount();
    const state = stateFile();
    await deployer(dir, state).deployer.deploy();
    expect(connections()).toEqual([expect.objectContaining({ status: 'CONNECTED' })]);
    return { dir, state };
  }

  test('Proton\'s hostname no longer resolves: destroy completes within the bound, saying why', async () => {
    const { dir, state } = await deployed();
    const started = Date.now();
    const run = deployer(dir, state, { environment: { AWS_ENDPOINT_URL_PROTON: 'https://proton.us-east-1.amazonaws.com' } });
    await run.deployer.destroy();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.deployer.deployedStacks()).toEqual([]);
    expect(run.lines.join('\n')).toMatch(/AWS Proton is gone \(its hostname proton\.us-east-1\.amazonaws\.com does not resolve \(ENOTFOUND\)\): AWS deleted Proton's data/);
  }, 90_000);

  test('Proton answers with an HTML 403: destroy completes within the bound', async () => {
    const { dir, state } = await deployed();
    await endpoint().admin.setEndOfSupport('html-403');
    try {
      const run = deployer(dir, state);
      await run.deployer.destroy();
      expect(run.deployer.deployedStacks()).toEqual([]);
      expect(run.lines.join('\n')).toMatch(/AWS Proton is gone \(it answered HTTP 403 with an error outside AWS Proton's API/);
    } finally {
      await endpoint().admin.setEndOfSupport(undefined);
    }
  }, 90_000);

  test('Proton refuses connections: one deploy with the switch, then destroy, both without a Proton call', async () => {
    const { state } = await deployed();
    const switched = synth(buildTwoAccountApp, { [END_OF_SUPPORT_CONTEXT_KEY]: 'true' });
    await endpoint().admin.setEndOfSupport('refuse-connections');
    try {
      const run = deployer(switched, state);
      await run.deployer.deploy();
      expect(run.deployer.stackState('EnvironmentAccountStack')?.status).toBe('UPDATE_COMPLETE');
      await run.deployer.destroy();
      expect(run.deployer.deployedStacks()).toEqual([]);
      expect(run.lines.join('\n')).toMatch(/cdk-proton-account-connections:endOfSupport is on: not calling AWS Proton/);
      expect(run.lines.join('\n')).not.toMatch(/ECONNREFUSED/);
    } finally {
      await endpoint().admin.setEndOfSupport(undefined);
    }
  }, 90_000);
});

describe('the sharp edges', () => {
  function rejectable(app: App, options: { replaceRejected?: boolean } = {}) {
    const stack = new Stack(app, 'Env', { env: ENV });
    const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT_ACCOUNT, environmentNames: ['dev'] });
    new EnvironmentAccountConnection(stack, 'Dev', { managementAccountId: MANAGEMENT_ACCOUNT, environmentName: 'dev', role, replaceRejected: options.replaceRejected });
  }

  test('REJECTED: one deploy with replaceRejected files a new request in place of the rejected one, which is deleted', async () => {
    const state = stateFile();
    await deployer(synth((app) => rejectable(app)), state).deployer.deploy();
    const [rejected] = connections();
    await protonClientFor(endpoint(), MANAGEMENT_ACCOUNT).send(new RejectEnvironmentAccountConnectionCommand({ id: rejected.id }));
    const run = deployer(synth((app) => rejectable(app, { replaceRejected: true })), state);
    await run.deployer.deploy();
    expect(connections()).toEqual([expect.objectContaining({ environmentName: 'dev', status: 'PENDING' })]);
    expect(connections()[0].id).not.toBe(rejected.id);
    await run.deployer.destroy();
    expect(connections()).toEqual([]);
  }, 60_000);

  function retained(app: App, options: { wait?: boolean } = {}) {
    const stack = new Stack(app, 'Env', { env: ENV });
    const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT_ACCOUNT, environmentNames: ['dev'] });
    new EnvironmentAccountConnection(stack, 'Dev', {
      managementAccountId: MANAGEMENT_ACCOUNT,
      environmentName: 'dev',
      role,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(options.wait ? { waitForAcceptance: true, acceptanceTimeout: Duration.seconds(1) } : {}),
    });
  }

  test('RETAIN: destroy keeps the connection and its role; the stack created again takes the connection back, without adoptExisting', async () => {
    const dir = synth((app) => retained(app));
    const first = deployer(dir, stateFile());
    await first.deployer.deploy();
    const [kept] = connections();
    await first.deployer.destroy();
    // CloudFormation's DeletionPolicy keeps the connection (no Delete reaches the handler) and the role it names
    // (the handler's log group is always kept)
    expect(first.events.filter((e) => e.status === 'DELETE_SKIPPED').map((e) => e.logicalId.replace(/[0-9A-F]{8}$/, '')).sort())
      .toEqual(['Dev', 'ProtonEnvironmentAccountConnectionProviderLogs', 'ProtonRole']);
    expect(connections()).toEqual([expect.objectContaining({ id: kept.id, status: 'PENDING' })]);
    const again = deployer(dir, stateFile());
    await again.deployer.deploy();
    expect(connections()).toEqual([expect.objectContaining({ id: kept.id })]);
    expect(again.lines.join('\n')).toMatch(`taking back PENDING connection ${kept.id}, which this resource filed earlier`);
  }, 90_000);

  test('RETAIN: a first deploy that fails while waiting leaves no request behind, so the next deploy succeeds', async () => {
    const state = stateFile();
    const run = deployer(synth((app) => retained(app, { wait: true })), state);
    await expect(run.deployer.deploy()).rejects.toThrow(/is still PENDING after 1 s/);
    expect(connections()).toEqual([]);
    await deployer(synth((app) => retained(app)), state).deployer.deploy();
    expect(connections()).toEqual([expect.objectContaining({ status: 'PENDING' })]);
  }, 90_000);

  test('waiting with the management stack first (one stack at a time, as cdk deploy does): CONNECTED when the environment stack completes', async () => {
    const dir = synth((app) => {
      const management = new Stack(app, 'Mgmt', { env: MGMT });
      const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { continuousAcceptance: {} });
      const environment = new Stack(app, 'Env', { env: ENV });
      new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'dev', waitForAcceptance: true, acceptanceTimeout: Duration.minutes(2) });
    });
    const run = deployer(dir, stateFile());
    const result = await run.deployer.deploy();
    // one stack at a time: the environment stack starts only once the management stack is complete
    expect(stackEvents(run).map((e) => `${e.stack} ${e.status}`)).toEqual(['Mgmt CREATE_IN_PROGRESS', 'Mgmt CREATE_COMPLETE', 'Env CREATE_IN_PROGRESS', 'Env CREATE_COMPLETE']);
    expect(result.stacks.Env).toBeDefined();
    expect(connections()).toEqual([expect.objectContaining({ status: 'CONNECTED', environmentName: 'dev' })]);
    // accepted by the management stack's event rule (continuous acceptance) when the request was filed, with the stored allow-list
    expect(run.deployer.rules.invocations()).toContainEqual(expect.objectContaining({
      stack: 'Mgmt', trigger: 'event', outcome: 'succeeded', result: expect.objectContaining({ accepted: [connections()[0].id] }),
    }));
    const waited = run.events.find((e) => e.resourceType === 'Custom::ProtonEnvironmentAccountConnection' && e.status === 'CREATE_COMPLETE');
    expect(waited?.data).toMatchObject({ Status: 'CONNECTED' });
    await run.deployer.destroy();
  }, 120_000);
});

