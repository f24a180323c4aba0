/**
 * `cdk-proton-local deploy|destroy|rules`: executes a synthesized CDK cloud assembly locally (see
 * local/deployer/README.md).
 *
 *   cdk-proton-local deploy|destroy --endpoint URL [--app cdk.out] [--state .local-deploy/state.json]
 *     [--stacks A,B] [--concurrency N] [--duplicate-delivery] [--timeout SECONDS]
 *   cdk-proton-local rules --endpoint URL [--state ...] [--tick | --for SECONDS] [--speedup N] [--timeout SECONDS]
 */
import { checkConcurrency, LocalDeployer } from '../deployer';

const COMMON_OPTIONS = `  --endpoint URL        the local AWS Proton endpoint (sets AWS_ENDPOINT_URL_PROTON for handlers; required)
  --app DIR             the cloud assembly (default cdk.out)
  --state FILE          the deployment state (default .local-deploy/state.json)
  --timeout SECONDS     a cap on handler timeouts
`;

export const DEPLOY_USAGE = `usage: cdk-proton-local deploy --endpoint URL [options]

Deploys the stacks of a synthesized app in dependency order, one at a time (as cdk deploy --all does),
running its Lambda-backed custom resources against the local endpoint; a failure rolls back.

${COMMON_OPTIONS}  --stacks A,B          only these stacks (their dependencies must be deployed)
  --concurrency N       stacks at once (default 1, like cdk deploy)
  --duplicate-delivery  deliver every custom resource event twice (Lambda's at-least-once delivery)
`;

export const DESTROY_USAGE = `usage: cdk-proton-local destroy --endpoint URL [options]

Destroys the deployed stacks in reverse dependency order.

${COMMON_OPTIONS}  --stacks A,B          only these stacks
  --concurrency N       stacks at once (default 1)
`;

export const RULES_USAGE = `usage: cdk-proton-local rules --endpoint URL [options]

Runs the deployed EventBridge rules (schedules, and patterns matching the endpoint's Proton events).

${COMMON_OPTIONS}  --tick                fire the next scheduled firing once, then exit
  --for SECONDS         run for this long (default: until interrupted)
  --speedup N           schedule time runs N times as fast
`;

const USAGE: Record<'deploy' | 'destroy' | 'rules', string> = { deploy: DEPLOY_USAGE, destroy: DESTROY_USAGE, rules: RULES_USAGE };

/** The CLI's advice when --endpoint is missing. */
const NO_ENDPOINT = '--endpoint URL is required: the local deployer never calls AWS. Start the local AWS Proton endpoint with '
  + '`cdk-proton-local endpoint` (it prints "local-proton listening on <url>") and pass that url: --endpoint <url>';

/** A usage error: the message, then the command's usage. */
class UsageError extends Error {}

interface Args {
  command: 'deploy' | 'destroy' | 'rules';
  app: string;
  state: string;
  stacks?: string[];
  endpoint?: string;
  concurrency?: number;
  duplicateDelivery: boolean;
  timeoutSeconds?: number;
  tick: boolean;
  forSeconds?: number;
  speedup?: number;
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number (got ${JSON.stringify(text)})`);
  return n;
}

function parseArgs(command: Args['command'], rest: string[]): Args | 'help' {
  const args: Args = { command, app: 'cdk.out', state: '.local-deploy/state.json', duplicateDelivery: false, tick: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--app': args.app = value(); break;
      case '--state': args.state = value(); break;
      case '--stacks': args.stacks = value().split(',').map(s => s.trim()).filter(Boolean); break;
      case '--endpoint': args.endpoint = value(); break;
      case '--concurrency': args.concurrency = checkConcurrency(value(), '--concurrency'); break;
      case '--duplicate-delivery': args.duplicateDelivery = true; break;
      case '--timeout': args.timeoutSeconds = Number(value()); break;
      case '--tick': args.tick = true; break;
      case '--for': args.forSeconds = positiveNumber(flag, value()); break;
      case '--speedup': args.speedup = positiveNumber(flag, value()); break;
      case '--help': case '-h': return 'help';
      default: throw new UsageError(`unknown argument ${flag}`);
    }
  }
  if (!args.endpoint) throw new Error(NO_ENDPOINT);
  if (args.command !== 'rules' && (args.tick || args.forSeconds !== undefined || args.speedup !== undefined)) {
    throw new UsageError('--tick, --for and --speedup go with the rules command');
  }
  if (args.tick && args.forSeconds !== undefined) throw new UsageError('--tick and --for exclude each other');
  return args;
}

/** Runs the deployed rules: one tick, or in the background for a while (or until interrupted). */
async function runRules(deployer: LocalDeployer, args: Args): Promise<void> {
  if (args.tick) {
    await deployer.rules.tick();
    return;
  }
  deployer.rules.start();
  await new Promise<void>(resolve => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (args.forSeconds !== undefined) setTimeout(done, args.forSeconds * 1000);
  });
  await deployer.close();
}

/** Runs `cdk-proton-local deploy|destroy|rules` with its arguments; resolves to the exit code. */
export async function runDeployCommand(command: Args['command'], argv: string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(command, argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cdk-proton-local ${command}: ${message}\n${error instanceof UsageError ? `\n${USAGE[command]}` : ''}`);
    return error instanceof UsageError ? 2 : 1;
  }
  if (args === 'help') {
    process.stdout.write(USAGE[command]);
    return 0;
  }
  try {
    await run(args);
    return 0;
  } catch (error) {
    process.stderr.write(`cdk-proton-local ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function run(args: Args): Promise<void> {
  const deployer = new LocalDeployer({
    assemblyDir: args.app,
    stateFile: args.state,
    environment: { AWS_ENDPOINT_URL_PROTON: args.endpoint! },
    concurrency: args.concurrency,
    duplicateDelivery: args.duplicateDelivery,
    handlerTimeoutMs: args.timeoutSeconds !== undefined ? args.timeoutSeconds * 1000 : undefined,
    ...(args.speedup !== undefined ? { scheduleClock: { speedup: args.speedup } } : {}),
  });
  if (args.command === 'rules') {
    await runRules(deployer, args);
  } else if (args.command === 'deploy') {
    const result = await deployer.deploy(args.stacks);
    for (const [stack, r] of Object.entries(result.stacks)) {
      for (const [name, value] of Object.entries(r.outputs)) console.log(`${stack}.${name} = ${value}`);
    }
  } else {
    await deployer.destroy(args.stacks);
  }
}
