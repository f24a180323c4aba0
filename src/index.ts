export * from './proton-role/environment-account-proton-role';
export { CodeBuildProvisioningRoleOptions } from './proton-role/codebuild-provisioning-role';
export { ProvisioningPermissions } from './proton-role/provisioning-permissions';
export * from './connection/environment-account-connection';
export * from './acceptor/environment-account-connection-acceptor';
export * from './link/proton-environment-link';
export * from './hardening/handler-options';
export { EnvironmentNaming } from './organization/environment-naming';
export { OrganizationReadAccess, OrganizationReadAccessProps } from './organization/organization-read-access';
export {
  EnvironmentAccountStackSet, EnvironmentAccountStackSetProps, StackSetCaller,
} from './organization/environment-account-stack-set';
export { StackSetAssetBucket, StackSetAssetBucketProps } from './organization/stack-set-asset-bucket';
