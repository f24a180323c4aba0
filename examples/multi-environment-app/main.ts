/**
 * The multi-environment example: one management account, several environment accounts and
 * environments, from a small config (platform-config.ts). One line per environment.
 *
 *   npx cdk synth --app "node --require ts-node/register/transpile-only examples/multi-environment-app/main.ts"
 */
import { App } from 'aws-cdk-lib';
import { ensureHandlersBundled } from '../handler-assets';
import { buildMultiEnvironmentApp } from './multi-environment-app';
import { PLATFORM } from './platform-config';

ensureHandlersBundled();
const app = new App();
buildMultiEnvironmentApp(app, PLATFORM);
app.synth();
