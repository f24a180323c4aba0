/**
 * The peer a user would write instead of this library, in aws-cdk-lib only: per environment stack
 * a Proton role with the confused-deputy trust conditions and an `AwsCustomResource` calling
 * Create/Update/DeleteEnvironmentAccountConnection; in the management account, `AwsCustomResource`s
 * that list the PENDING requests and accept them by their position in the list.
 *
 * It cannot wait for a request, adopt an existing connection or converge on a re-filed one, and
 * its acceptance is brittle: it accepts whatever requests the list returns at those positions,
 * with no allow-list check. Its shape is the best such a peer can deploy (see `PEER_PAIRS_PER_LIST`).
 */
import { App, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId, PhysicalResourceIdReference } from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import {
  AppSpec, MANAGEMENT_ACCOUNT, PEER_LISTS_PER_STACK, PEER_PAIRS_PER_LIST, REGION,
  environmentAccount, environmentName, environmentStackId, managementStackId,
} from './app-spec';
import { protonRole } from './proton-role';
import { runApp } from './run-app';

const SERVICE = 'Proton';

function statement(actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources });
}

/** The connection request of one environment, as a hand-written custom resource. */
function addConnection(scope: Construct, suffix: string, name: string, role: iam.IRole): AwsCustomResource {
  const id = PhysicalResourceId.fromResponse('environmentAccountConnection.id');
  return new AwsCustomResource(scope, `Connection${suffix}`, {
    onCreate: {
      service: SERVICE,
      action: 'createEnvironmentAccountConnection',
      parameters: { managementAccountId: MANAGEMENT_ACCOUNT, environmentName: name, roleArn: role.roleArn },
      physicalResourceId: id,
    },
    onUpdate: {
      service: SERVICE,
      action: 'updateEnvironmentAccountConnection',
      parameters: { id: new PhysicalResourceIdReference(), roleArn: role.roleArn },
      physicalResourceId: id,
    },
    onDelete: { service: SERVICE, action: 'deleteEnvironmentAccountConnection', parameters: { id: new PhysicalResourceIdReference() } },
    policy: AwsCustomResourcePolicy.fromStatements([
      statement(['proton:CreateEnvironmentAccountConnection', 'proton:UpdateEnvironmentAccountConnection', 'proton:DeleteEnvironmentAccountConnection'], ['*']),
      statement(['iam:PassRole'], [role.roleArn]),
    ]),
    installLatestAwsSdk: false,
  });
}

/**
 * Accepts `n` requests: chunks of `PEER_PAIRS_PER_LIST`, each a list of the PENDING requests (after the
 * previous chunk's accepts, so that it sees the ones left) and one accept per position.
 */
function acceptAll(app: App, n: number, environmentStacks: Stack[]): void {
  const stacks: Stack[] = [];
  let previous: IConstruct[] = [];
  for (let chunk = 0; chunk * PEER_PAIRS_PER_LIST < n; chunk++) {
    const j = Math.floor(chunk / PEER_LISTS_PER_STACK);
    if (!stacks[j]) {
      stacks[j] = new Stack(app, managementStackId(j), { env: { account: MANAGEMENT_ACCOUNT, region: REGION } });
      // the requests must exist before the lists run
      environmentStacks.forEach((e) => stacks[j].addStackDependency(e));
    }
    const stack = stacks[j];
    const count = Math.min(PEER_PAIRS_PER_LIST, n - chunk * PEER_PAIRS_PER_LIST);
    const positions = Array.from({ length: count }, (_, i) => `environmentAccountConnections.${i}.id`);
    const list = new AwsCustomResource(stack, `Pending${chunk}`, {
      onCreate: {
        service: SERVICE,
        action: 'listEnvironmentAccountConnections',
        parameters: { requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['PENDING'] },
        physicalResourceId: PhysicalResourceId.of(`pending-${chunk}`),
        outputPaths: positions,
      },
      policy: AwsCustomResourcePolicy.fromStatements([statement(['proton:ListEnvironmentAccountConnections'], ['*'])]),
      installLatestAwsSdk: false,
    });
    // a construct dependency across stacks becomes a stack dependency
    previous.forEach((p) => list.node.addDependency(p));
    const connections = stack.formatArn({ service: 'proton', resource: 'environment-account-connection', resourceName: '*' });
    previous = positions.map((position, i) => new AwsCustomResource(stack, `Accept${chunk * PEER_PAIRS_PER_LIST + i}`, {
      onCreate: {
        service: SERVICE,
        action: 'acceptEnvironmentAccountConnection',
        parameters: { id: list.getResponseField(position) },
        physicalResourceId: PhysicalResourceId.fromResponse('environmentAccountConnection.id'),
      },
      policy: AwsCustomResourcePolicy.fromStatements([statement(['proton:AcceptEnvironmentAccountConnection'], [connections])]),
      installLatestAwsSdk: false,
    }));
  }
}

function build(app: App, spec: AppSpec): void {
  switch (spec.mode) {
    case 'pairs': {
      const environmentStacks = Array.from({ length: spec.n }, (_, i) => {
        const stack = new Stack(app, environmentStackId(i), { env: { account: environmentAccount(i), region: REGION } });
        addConnection(stack, '', environmentName(i), protonRole(stack, 'ProtonRole', [environmentName(i)]));
        return stack;
      });
      acceptAll(app, spec.n, environmentStacks);
      return;
    }
    case 'one-stack':
      for (const k of spec.ks) {
        const stack = new Stack(app, `OneStack${k}`, { env: { account: environmentAccount(0), region: REGION } });
        const names = Array.from({ length: k }, (_, j) => environmentName(j));
        // shared-role: one role trusting all k environments serves every connection of the stack
        const shared = spec.shape === 'shared-role' ? protonRole(stack, 'ProtonRole', names) : undefined;
        names.forEach((name, j) => addConnection(stack, String(j), name, shared ?? protonRole(stack, `ProtonRole${j}`, [name])));
      }
      return;
    default:
      throw new Error(`the peer app has no ${spec.mode} mode`);
  }
}

runApp(build);
