/**
 * local-deploy: executes a synthesized CDK cloud assembly locally (see local/deployer/README.md).
 *
 *   npx projen local-deploy deploy|destroy --endpoint URL [--app cdk.out] [--state .local-deploy/state.json]
 *     [--stacks A,B] [--concurrency N] [--duplicate-delivery] [--timeout SECONDS]
 *   npx projen local-deploy rules --endpoint URL [--state ...] [--tick | --for SECONDS] [--speedup N] [--timeout SECONDS]
 */
import { checkConcurrency, LocalDeployer } from '../deployer';

const USAGE = 'usage: local-deploy deploy|destroy|rules --endpoint URL (sets AWS_ENDPOINT_URL_PROTON for handlers; required) '
  + '[--app cdk.out] [--state .local-deploy/state.json] [--stacks A,B] [--concurrency N (stacks at once; default 1, like cdk deploy)] '
  + '[--duplicate-delivery] [--timeout SECONDS (cap on handler timeouts)]; '
  + 'rules runs the deployed EventBridge rules: [--tick (fire the next scheduled firing once, then exit) | --for SECONDS (default: until interrupted)] '
  + '[--speedup N (schedule time runs N times as fast)]';

/** The CLI's advice when --endpoint is missing. */
const NO_ENDPOINT = '--endpoint URL is required: the local deployer never calls AWS. Start the local AWS Proton endpoint with '
  + '`npx projen local-proton` (it prints "local-proton listening on <url>") and pass that url: --endpoint <url>';

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
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number (got ${JSON.stringify(text)})\n${USAGE}`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'deploy' && command !== 'destroy' && command !== 'rules') throw new Error(USAGE);
  const args: Args = { command, app: 'cdk.out', state: '.local-deploy/state.json', duplicateDelivery: false, tick: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
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
      case '--help': case '-h': throw new Error(USAGE);
      default: throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  if (!args.endpoint) throw new Error(NO_ENDPOINT);
  if (args.command !== 'rules' && (args.tick || args.forSeconds !== undefined || args.speedup !== undefined)) {
    throw new Error(`--tick, --for and --speedup go with the rules command\n${USAGE}`);
  }
  if (args.tick && args.forSeconds !== undefined) throw new Error(`--tick and --for exclude each other\n${USAGE}`);
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
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

main().catch((err: unknown) => {
  console.error(`local-deploy: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
