/**
 * Starts the local AWS Proton endpoint.
 *
 *   npx projen local-proton [--port 0] [--host 127.0.0.1] [--seed 1]
 *     [--throttling-rate 0] [--internal-error-rate 0] [--drop-rate 0] [--drop-after-commit-rate 0]
 *     [--latency-ms a,b] [--quota 1000] [--end-of-support refuse-connections|html-403] [--quiet]
 *
 * Prints `local-proton listening on http://127.0.0.1:<port>` and stops on SIGINT/SIGTERM. With
 * `--end-of-support refuse-connections` it prints `local-proton refusing connections on <url>` instead: it picked
 * the port, then stopped listening on it.
 */
import { EndOfSupportMode, FaultOptions, startLocalProton } from '../proton-endpoint';
import { checkEndOfSupportMode } from '../proton-endpoint/end-of-support';

const USAGE = 'usage: local-proton [--port N] [--host H] [--seed N] [--throttling-rate R] [--internal-error-rate R] '
  + '[--drop-rate R] [--drop-after-commit-rate R] [--latency-ms MIN,MAX] [--operations Op1,Op2] [--quota N] '
  + '[--end-of-support refuse-connections|html-403] [--quiet]';

function fail(message: string): never {
  process.stderr.write(`local-proton: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function number(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n)) fail(`${flag} needs a number (got ${String(value)})`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  let port = 0;
  let host = '127.0.0.1';
  let quota: number | undefined;
  let quiet = false;
  let endOfSupport: EndOfSupportMode | undefined;
  const faults: { -readonly [K in keyof FaultOptions]: FaultOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port': port = number(flag, value()); break;
      case '--host': host = value() ?? fail('--host needs a value'); break;
      case '--seed': faults.seed = number(flag, value()); break;
      case '--throttling-rate': faults.throttlingRate = number(flag, value()); break;
      case '--internal-error-rate': faults.internalErrorRate = number(flag, value()); break;
      case '--drop-rate': faults.dropRate = number(flag, value()); break;
      case '--drop-after-commit-rate': faults.dropAfterCommitRate = number(flag, value()); break;
      case '--latency-ms': {
        const parts = (value() ?? '').split(',');
        if (parts.length !== 2) fail('--latency-ms needs MIN,MAX');
        faults.latencyMs = [number(flag, parts[0]), number(flag, parts[1])];
        break;
      }
      case '--operations': faults.operations = (value() ?? '').split(',').filter((o) => o !== ''); break;
      case '--quota': quota = number(flag, value()); break;
      case '--end-of-support':
        try {
          endOfSupport = checkEndOfSupportMode(value(), '--end-of-support', 'nothing');
        } catch (err) {
          fail((err as Error).message);
        }
        break;
      case '--quiet': quiet = true; break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return;
      default: fail(`unknown argument ${arg}`);
    }
  }

  const proton = await startLocalProton({
    port,
    host,
    quotaPerEnvironmentAccount: quota,
    faults,
    endOfSupport,
    log: quiet ? undefined : (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  if (endOfSupport === 'refuse-connections') {
    process.stdout.write(`local-proton refusing connections on ${proton.url} (end-of-support: refuse-connections)\n`);
  } else {
    process.stdout.write(`local-proton listening on ${proton.url}${endOfSupport ? ` (end-of-support: ${endOfSupport})` : ''}\n`);
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`local-proton: ${signal}, stopping\n`);
    proton.close().then(() => process.exit(0), (err) => {
      process.stderr.write(`local-proton: close failed: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`local-proton: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
