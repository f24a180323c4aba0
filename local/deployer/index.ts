export * from './deployer';
export type { DeployEvent } from './progress';
export type { StackState, ResourceState, OutputState, LambdaFunctionInfo } from './deploy-state';
export type { CustomResourceEvent, CustomResourceResponse } from './custom-resource-invoker';
export { readCloudAssembly } from './cloud-assembly';
export type { CloudAssembly, StackArtifact } from './cloud-assembly';
export type { ScheduleClock, ProtonEventSource, RuleEvent, RuleInvocation, RuleInfo, LocalRules } from './rule-runner';
export type { StoredParameter } from './ssm-parameters';
