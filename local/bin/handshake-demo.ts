/**
 * The README's main job, after `cdk synth`: deploys the two-account app's stacks on the local
 * AWS Proton endpoint, shows the connection CONNECTED, destroys them.
 *
 *   node --require ts-node/register/transpile-only local/bin/handshake-demo.ts [--app cdk.out]   (or: npx projen demo)
 */
import { runHandshakeDemo } from '../demo/handshake-demo';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const appIndex = process.argv.indexOf('--app');
const assemblyDir = appIndex >= 0 ? process.argv[appIndex + 1] : 'cdk.out';

runHandshakeDemo({ assemblyDir }).catch((error: unknown) => {
  console.error(`\nhandshake demo FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
