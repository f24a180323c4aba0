#!/usr/bin/env node
/**
 * cdk-proton-local: the library's offline tools (a local AWS Proton endpoint and a local
 * deployer for synthesized CDK apps), compiled into the package. Run `cdk-proton-local --help`.
 */
import { runDeployCommand } from '../cli/deploy-command';
import { runEndpointCommand } from '../cli/endpoint-command';
import { runHandshakeCommand } from '../cli/handshake-command';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage: cdk-proton-local <command> [options]   (cdk-proton-local <command> --help for its options)

Offline tools for apps built with cdk-proton-account-connections (AWS Proton reached end of support on 2026-10-07):

  endpoint    start a local AWS Proton endpoint (the real wire protocol and rules; faults; end-of-support modes)
  deploy      deploy a synthesized app (cdk.out) the way CloudFormation would, its handlers against a local endpoint
  destroy     destroy what deploy deployed
  rules       run the deployed EventBridge rules (continuous acceptance: schedules and Proton events)
  handshake   endpoint + deploy + destroy of an app: exit 0 only when every connection got CONNECTED and none is left
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'endpoint':
      await runEndpointCommand(rest);
      return 0;
    case 'deploy':
    case 'destroy':
    case 'rules':
      return runDeployCommand(command, rest);
    case 'handshake':
      return runHandshakeCommand(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`cdk-proton-local: unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
}, (error: unknown) => {
  process.stderr.write(`cdk-proton-local: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
