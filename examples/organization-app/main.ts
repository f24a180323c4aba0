/**
 * The organization example: a StackSet rolls the environment side out to an OU, the management
 * account accepts by OU membership.
 *
 * Run from the repository root:
 *   npx projen demo:organization   # synthesize, then run it on the local endpoint's organization (organization.json)
 */
import { App } from 'aws-cdk-lib';
import { buildOrganizationApp } from './organization-app';
import { ensureHandlersBundled } from '../handler-assets';

ensureHandlersBundled();
const app = new App();
buildOrganizationApp(app);
app.synth();
