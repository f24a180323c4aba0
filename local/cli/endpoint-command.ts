/**
 * `cdk-proton-local endpoint`: starts the local AWS Proton endpoint.
 *
 *   cdk-proton-local endpoint [--port 0] [--host 127.0.0.1] [--seed 1]
 *     [--throttling-rate 0] [--internal-error-rate 0] [--drop-rate 0] [--drop-after-commit-rate 0]
 *     [--latency-ms a,b] [--quota 1000] [--end-of-support refuse-connections|html-403]
 *     [--organization org.json] [--organizations-throttling-rate 0] [--quiet]
 *
 * Prints `local-proton listening on http://127.0.0.1:<port>` and stops on SIGINT/SIGTERM. With
 * `--end-of-support refuse-connections` it prints `local-proton refusing connections on <url>` instead: it picked
 * the port, then stopped listening on it. With `--organization` it also serves AWS Organizations' read operations
 * for that organization on the same URL (one line on stderr says so).
 */
import { readFileSync } from 'node:fs';
import { normalizeOrganizationDocument, OrganizationDocument } from '../organizations/document';
import { EndOfSupportMode, FaultOptions, startLocalProton } from '../proton-endpoint';
import { checkEndOfSupportMode } from '../proton-endpoint/end-of-support';

export const ENDPOINT_USAGE = `usage: cdk-proton-local endpoint [options]

Starts the local AWS Proton endpoint (on loopback) and prints its URL; SIGINT/SIGTERM stop it.

  --port N                  port (default 0: a free port)
  --host H                  host (default 127.0.0.1)
  --seed N                  seed of the fault schedule (default 1)
  --throttling-rate R       share of calls answered ThrottlingException (0..1)
  --internal-error-rate R   share of calls answered InternalServerException (0..1)
  --drop-rate R             share of calls whose connection is dropped before they run (0..1)
  --drop-after-commit-rate R  share of calls that run, then lose their response (0..1)
  --latency-ms MIN,MAX      added latency per call
  --operations Op1,Op2      operations the faults apply to (default: all)
  --quota N                 connections per environment account and Region (default 1000)
  --end-of-support MODE     answer as a shut-down service: refuse-connections | html-403
  --organization FILE       also serve AWS Organizations' read operations for the organization in FILE (JSON)
  --organizations-throttling-rate R  share of Organizations calls answered TooManyRequestsException (0..1)
  --quiet                   no request log on stderr
`;

function fail(message: string): never {
  process.stderr.write(`cdk-proton-local endpoint: ${message}\n\n${ENDPOINT_USAGE}`);
  process.exit(2);
}

function number(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n)) fail(`${flag} needs a number (got ${String(value)})`);
  return n;
}

/** The organization document in `file`, checked (exit 2 naming the file and each bad field). */
function readOrganization(file: string | undefined): OrganizationDocument {
  if (file === undefined || file === '') fail('--organization needs a JSON file');
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`--organization ${file}: ${(err as Error).message}`);
  }
  try {
    normalizeOrganizationDocument(document);
  } catch (err) {
    fail(`--organization ${file}: ${(err as Error).message}`);
  }
  return document as OrganizationDocument;
}

/** Runs `cdk-proton-local endpoint` with its arguments (after the subcommand). */
export async function runEndpointCommand(argv: string[]): Promise<void> {
  let port = 0;
  let host = '127.0.0.1';
  let quota: number | undefined;
  let quiet = false;
  let endOfSupport: EndOfSupportMode | undefined;
  let organization: OrganizationDocument | undefined;
  let organizationsThrottlingRate: number | undefined;
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
      case '--organization': organization = readOrganization(value()); break;
      case '--organizations-throttling-rate': organizationsThrottlingRate = number(flag, value()); break;
      case '--quiet': quiet = true; break;
      case '--help':
      case '-h':
        process.stdout.write(ENDPOINT_USAGE);
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
    organization,
    organizationsFaults: organizationsThrottlingRate === undefined ? undefined : { throttlingRate: organizationsThrottlingRate },
    log: quiet ? undefined : (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  if (endOfSupport === 'refuse-connections') {
    process.stdout.write(`local-proton refusing connections on ${proton.url} (end-of-support: refuse-connections)\n`);
  } else {
    process.stdout.write(`local-proton listening on ${proton.url}${endOfSupport ? ` (end-of-support: ${endOfSupport})` : ''}\n`);
  }

  if (organization) {
    const org = proton.admin.organizations.organization();
    process.stderr.write(`local-proton: serving AWS Organizations on ${proton.url}: ${org.organizationId} (management account ${org.managementAccountId}, `
      + `${org.accounts.length} accounts, ${org.organizationalUnits.length} organizational units)\n`);
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
