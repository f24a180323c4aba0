/**
 * Deterministic reproductions (scripted faults) of library bugs found while designing the fault
 * runs. Each is `test.failing`: it passes while the bug exists and fails once the library is fixed,
 * so it must then become a plain `test`.
 */
import { CloudFormationEmulation, ResourceModel, stackModel } from './cloudformation-emulation';
import { checkConverged, FaultTally, MANAGEMENT_ACCOUNT, seededRandom } from './fault-harness';
import { LocalProton, startLocalProton } from '../../local/proton-endpoint';
import { CONNECTION_RESOURCE_TYPE } from '../../src/connection/connection-contract';
import { RESPONSE_MARGIN_MS } from '../../src/handler-runtime/custom-resource-runner';

const ACCOUNT = '222222222222';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let endpoint: LocalProton;
beforeAll(async () => {
  endpoint = await startLocalProton();
});
beforeEach(() => endpoint.admin.reset());
afterAll(async () => endpoint.close());

function connection(seed: number, environmentName: string): ResourceModel {
  return {
    stack: stackModel('Env', ACCOUNT, seed),
    logicalId: `Connection${environmentName}`,
    type: CONNECTION_RESOURCE_TYPE,
    props: { ManagementAccountId: MANAGEMENT_ACCOUNT, EnvironmentName: environmentName, RoleArn: role(`proton-${environmentName}`) },
  };
}

describe('fixed bugs (regression tests)', () => {
  /*
   * Rename (replacement) rolled back by CloudFormation: the rollback Update carries the new
   * physical id with the old properties. update() sees the environment name differ and files a
   * new request for the old name, which Proton refuses (the old connection still exists), so
   * adoptExisting=false fails the rollback: UPDATE_ROLLBACK_FAILED, and the old connection is
   * orphaned after destroy.
   */
  test('a stack update that renames one environment and fails on another resource rolls back cleanly', async () => {
    const tally = new FaultTally();
    const cfn = new CloudFormationEmulation(1, endpoint, tally, seededRandom(1), { forcedMode: 'single' });
    const renamed = connection(1, 'dev');
    const other = connection(1, 'qa');
    expect((await cfn.createStack([renamed, other])).ok).toBe(true);
    // The other resource's role update is refused (not retryable): the stack update fails.
    endpoint.admin.failNext('UpdateEnvironmentAccountConnection', 'AccessDeniedException', 1);
    const update = await cfn.updateStack([
      { res: renamed, props: { ...renamed.props, EnvironmentName: 'dev-v2' } },
      { res: other, props: { ...other.props, RoleArn: role('proton-qa-v2') } },
    ]);
    expect(update.ok).toBe(false);
    const rollbackOk = update.rollbackOk;
    await cfn.deleteAll([renamed, other]);
    await cfn.close();
    const clean = checkConverged(endpoint, [], tally, 1, 'after rollback and destroy');
    console.log(`rename rollback: ${[...cfn.log.filter((l) => / FAILED /.test(l)), ...tally.violations].join('\n')}`);
    // Today: rollbackOk is false (the rollback Update FAILED with "a CONNECTED/PENDING connection ... already exists ... Set adoptExisting")
    // and the "dev" connection is left behind.
    expect({ rollbackOk, clean, log: cfn.log.filter((l) => / FAILED /.test(l)) }).toEqual({ rollbackOk: true, clean: true, log: expect.any(Array) });
  });

  /*
   * A Create whose committed attempt lost its response (dropped after commit) and whose later
   * attempts all failed: the handler answers FAILED with the placeholder physical id
   * `not-created-<RequestId>`, so CloudFormation's rollback Delete deletes nothing and the
   * connection it filed is orphaned (and blocks the next deploy with "already exists").
   */
  test('a Create that committed but then exhausted its SDK attempts leaves nothing behind after the rollback', async () => {
    const tally = new FaultTally();
    // A 5 s deadline: the runner runs the step at most three times (at 0, 1 and 3 s; the next
    // retry would start after it), each with the SDK's 10 attempts, and then answers FAILED.
    const cfn = new CloudFormationEmulation(2, endpoint, tally, seededRandom(2), { forcedMode: 'single', timeScale: 50, remainingTimeMs: RESPONSE_MARGIN_MS + 5_000 });
    endpoint.admin.failNext('CreateEnvironmentAccountConnection', 'ConnectionDropAfterCommit', 1);
    endpoint.admin.failNext('CreateEnvironmentAccountConnection', 'InternalServerException', 9 + 2 * 10);
    const res = connection(2, 'dev');
    const created = await cfn.createStack([res]);
    await cfn.close();
    expect(created.ok).toBe(false);
    expect(tally.stepRetries).toBeGreaterThanOrEqual(1);
    checkConverged(endpoint, [], tally, 2, 'after rollback');
    console.log(`lost Create response: ${[...cfn.log.filter((l) => / FAILED |Delete/.test(l)), ...tally.violations].join('\n')}`);
    // Today: the rollback deleted "not-created-..." and the PENDING connection is still there.
    expect(checkConverged(endpoint, [], tally, 2, 'after rollback')).toBe(true);
  }, 20_000);
});
