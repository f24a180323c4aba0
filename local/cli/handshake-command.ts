/**
 * `cdk-proton-local handshake --app DIR`: the handshake of any synthesized app, offline.
 */
import { runHandshake } from '../handshake/handshake';

export const HANDSHAKE_USAGE = `usage: cdk-proton-local handshake [--app cdk.out]

Starts a local AWS Proton endpoint, deploys every stack of the synthesized app in dependency
order, one at a time (as cdk deploy --all does), prints each connection and its status, destroys
everything, and exits 0 only when every connection the app filed got CONNECTED and none is left.

  --app DIR    the cloud assembly (default cdk.out)
`;

/** Runs `cdk-proton-local handshake` with its arguments; resolves to the exit code. */
export async function runHandshakeCommand(argv: string[]): Promise<number> {
  let assemblyDir = 'cdk.out';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HANDSHAKE_USAGE);
      return 0;
    }
    if (arg === '--app' && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      assemblyDir = argv[++i];
      continue;
    }
    process.stderr.write(`cdk-proton-local handshake: ${arg === '--app' ? '--app needs a directory' : `unknown argument ${arg}`}\n\n${HANDSHAKE_USAGE}`);
    return 2;
  }
  try {
    await runHandshake({ assemblyDir });
    return 0;
  } catch (error) {
    process.stderr.write(`\nhandshake FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
