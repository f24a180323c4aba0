/**
 * The two-account example: one CDK app, an environment account and a management account, one
 * Region. `ManagementAccountStack` depends on `EnvironmentAccountStack`, so `cdk deploy --all`
 * files the request first and accepts it second.
 *
 * Run from the repository root (cdk.json points here):
 *   npx cdk synth -c environmentAccount=222222222222 -c managementAccount=111111111111 -c region=us-east-1 -c environmentName=dev
 *   npx projen demo    # synthesize, then deploy and destroy both stacks on the local Proton endpoint
 */
import { App } from 'aws-cdk-lib';
import { ensureHandlersBundled } from '../handler-assets';
import { buildTwoAccountApp } from './two-account-app';

ensureHandlersBundled();
const app = new App();
buildTwoAccountApp(app);
app.synth();
