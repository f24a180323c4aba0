/**
 * Continuous acceptance, end to end and offline: a synthesized app (a management stack with an acceptor with
 * `continuousAcceptance`, an environment stack with a `ProtonEnvironmentLink`) deployed by the local deployer, whose
 * deployed EventBridge rules run the acceptor's bundled handler: on AWS Proton's status-change events from the local
 * endpoint, and on the schedule's clock, ticked by hand. The sweep reads the allow-list the stack stored in SSM
 * parameters, over the deployer's local SSM endpoint. Nothing is redeployed after the first deploy.
 */
import {
  CreateEnvironmentAccountConnectionCommand, DeleteEnvironmentAccountConnectionCommand, ProtonClient,
} from '@aws-sdk/client-proton';
import { Stack } from 'aws-cdk-lib';
import { DeployEvent, LocalDeployer, RuleInvocation } from '../../local/deployer';
import { ContinuousAcceptanceOptions, EnvironmentAccountConnectionAcceptor, ProtonEnvironmentLink } from '../../src';
import { ENVIRONMENT_ENV, MANAGEMENT_ENV, useE2eWorkspace } from '../support/e2e-workspace';
import { ENVIRONMENT_ACCOUNT, MANAGEMENT_ACCOUNT, protonClientFor, useLocalProton } from '../support/local-proton';

const endpoint = useLocalProton();
const workspace = useE2eWorkspace('continuous-acceptance-');
const FIFTEEN_MINUTES = 15 * 60_000;

/** The management stack's acceptor with continuous acceptance, and an environment stack linked to it for `dev`. */
function synth(continuousAcceptance: ContinuousAcceptanceOptions = {}): string {
  return workspace.synth((app) => {
    const management = new Stack(app, 'Mgmt', { env: MANAGEMENT_ENV });
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', { continuousAcceptance });
    const environment = new Stack(app, 'Env', { env: ENVIRONMENT_ENV });
    new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: 'dev' });
  });
}

interface Run {
  readonly deployer: LocalDeployer;
  readonly lines: string[];
  readonly events: DeployEvent[];
}

function deployer(assemblyDir: string): Run {
  const lines: string[] = [];
  const events: DeployEvent[] = [];
  const run = new LocalDeployer({
    assemblyDir,
    stateFile: workspace.stateFile(),
    environment: { AWS_ENDPOINT_URL_PROTON: endpoint().url },
    log: (line) => lines.push(line),
    onEvent: (event) => events.push(event),
  });
  return { deployer: run, lines, events };
}

const connections = () => endpoint().admin.dump().connections;
const statusOf = (id: string) => connections().find((c) => c.id === id)?.status;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let clients: ProtonClient[] = [];
afterEach(() => {
  clients.forEach((c) => c.destroy());
  clients = [];
});
function environmentAccount(): ProtonClient {
  const client = protonClientFor(endpoint(), ENVIRONMENT_ACCOUNT);
  clients.push(client);
  return client;
}

/** Files a request of the environment account for `environmentName`, out of band (as a person with the console would). */
async function file(environmentName: string, roleArn: string): Promise<string> {
  const created = await environmentAccount().send(new CreateEnvironmentAccountConnectionCommand({ managementAccountId: MANAGEMENT_ACCOUNT, environmentName, roleArn }));
  const id = created.environmentAccountConnection!.id!;
  expect(statusOf(id)).toBe('PENDING');
  return id;
}

/** Deploys the app: the environment stack files the request, the management stack accepts it while it deploys. */
async function deployed(continuousAcceptance: ContinuousAcceptanceOptions = {}): Promise<{ run: Run; roleArn: string }> {
  const run = deployer(synth(continuousAcceptance));
  await run.deployer.deploy();
  const [connection] = connections();
  expect(connection).toMatchObject({ status: 'CONNECTED', environmentName: 'dev', managementAccountId: MANAGEMENT_ACCOUNT });
  // the acceptor stored its allow-list for the sweep
  expect(run.deployer.ssmParameters(MANAGEMENT_ACCOUNT, 'us-east-1')).toEqual([
    expect.objectContaining({ Name: expect.stringMatching(/^\/cdk-proton-account-connections\/acceptor-\w+\/0$/), Value: JSON.stringify({ pairs: [`${ENVIRONMENT_ACCOUNT}/dev`], accounts: [] }) }),
  ]);
  return { run, roleArn: connection.roleArn };
}

function sweepOf(invocation: RuleInvocation | undefined) {
  return invocation?.result as { accepted: string[]; rejected: string[]; leftPending: string[] } | undefined;
}

test('a request re-filed after deployment is accepted without a redeploy: by the event rule when it is filed, by the schedule on its next tick', async () => {
  const { run, roleArn } = await deployed();
  const [first] = connections();
  const start = run.deployer.rules.now().getTime();
  expect(run.deployer.rules.list().map((r) => [r.stack, r.logicalId.replace(/[0-9A-F]{8}$/, ''), r.scheduleExpression ?? 'event pattern'])).toEqual([
    ['Mgmt', 'AcceptorSchedule', 'rate(15 minutes)'],
    ['Mgmt', 'AcceptorOnProtonEvents', 'event pattern'],
  ]);

  // the connection goes out of band, and the same allow-listed pair files again
  await environmentAccount().send(new DeleteEnvironmentAccountConnectionCommand({ id: first.id }));
  const refiled = await file('dev', roleArn);
  await sleep(300);
  expect(statusOf(refiled)).toBe('PENDING'); // nothing runs behind the test's back

  // the event path: Proton's PENDING event reaches the management account's rule, whose target is the sweep
  const delivered = await run.deployer.rules.deliverEvents();
  expect(delivered).toEqual([expect.objectContaining({ stack: 'Mgmt', rule: expect.stringMatching(/^AcceptorOnProtonEvents/), trigger: 'event', outcome: 'succeeded', attempts: 1 })]);
  expect(sweepOf(delivered[0])).toEqual({ accepted: [refiled], rejected: [], leftPending: [] });
  expect(delivered[0].input).toEqual({ sweep: { allowListPath: expect.stringMatching(/^\/cdk-proton-account-connections\/acceptor-/), rejectUnlisted: false } });
  expect(statusOf(refiled)).toBe('CONNECTED');
  expect(run.lines.join('\n')).toMatch(/Mgmt \| AcceptorOnProtonEvents\w+ \(aws\.proton "AWS Proton Environment Account Connection Status Change" \S+ id=\S+ status=PENDING\) -> target Target0: succeeded/);

  // the schedule path: filed again, its event not delivered; the schedule's next firing (15 minutes on the clock) accepts it
  await environmentAccount().send(new DeleteEnvironmentAccountConnectionCommand({ id: refiled }));
  const again = await file('dev', roleArn);
  const swept = await run.deployer.rules.tick();
  expect(run.deployer.rules.now().getTime() - start).toBe(FIFTEEN_MINUTES);
  expect(swept).toEqual([expect.objectContaining({ stack: 'Mgmt', rule: expect.stringMatching(/^AcceptorSchedule/), trigger: 'schedule', outcome: 'succeeded' })]);
  expect(sweepOf(swept[0])).toEqual({ accepted: [again], rejected: [], leftPending: [] });
  expect(statusOf(again)).toBe('CONNECTED');
  // the event of the second filing finds nothing left to accept
  expect((await run.deployer.rules.deliverEvents()).map(sweepOf)).toEqual([{ accepted: [], rejected: [], leftPending: [] }]);

  await run.deployer.destroy();
  expect(run.deployer.rules.list()).toEqual([]);
  expect(run.deployer.ssmParameters(MANAGEMENT_ACCOUNT, 'us-east-1')).toEqual([]);
  expect(await run.deployer.rules.tick(FIFTEEN_MINUTES)).toEqual([]);
}, 120_000);

test('with rejectUnlisted, an unlisted PENDING request is REJECTED by a sweep', async () => {
  const { run, roleArn } = await deployed({ rejectUnlisted: true });
  const unlisted = await file('qa', roleArn);
  const [swept] = await run.deployer.rules.tick();
  expect(swept).toMatchObject({ trigger: 'schedule', outcome: 'succeeded', input: { sweep: { rejectUnlisted: true } } });
  expect(sweepOf(swept)).toEqual({ accepted: [], rejected: [unlisted], leftPending: [] });
  expect(statusOf(unlisted)).toBe('REJECTED');
  expect(run.lines.join('\n')).toMatch(new RegExp(`REJECTED unlisted .*${unlisted}.* \\(rejectUnlisted is on\\)`));
  // the listed connection is untouched
  expect(connections().filter((c) => c.status === 'CONNECTED').map((c) => c.environmentName)).toEqual(['dev']);
  await run.deployer.destroy();
}, 120_000);

test('without rejectUnlisted, an unlisted request stays PENDING, on the schedule and on its event', async () => {
  const { run, roleArn } = await deployed();
  const unlisted = await file('qa', roleArn);
  const [swept] = await run.deployer.rules.tick();
  expect(sweepOf(swept)).toEqual({ accepted: [], rejected: [], leftPending: [unlisted] });
  const [onEvent] = await run.deployer.rules.deliverEvents();
  expect(onEvent).toMatchObject({ trigger: 'event', outcome: 'succeeded' });
  expect(sweepOf(onEvent)).toEqual({ accepted: [], rejected: [], leftPending: [unlisted] });
  expect(statusOf(unlisted)).toBe('PENDING');
  await run.deployer.destroy();
}, 120_000);
