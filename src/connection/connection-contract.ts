import {
  accountIdProperty,
  booleanProperty,
  environmentNameProperty,
  integerProperty,
  roleArnProperty,
  tagsProperty,
} from '../handler-runtime/property-parsing';
import { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS } from '../shared/handler-limits';
import { RETURNED_ROLE_ARN_MAX_LENGTH } from '../shared/proton-patterns';

/**
 * The contract between the `EnvironmentAccountConnection` construct and its handler:
 * property and attribute names, and how the handler reads the properties back.
 */
export const CONNECTION_RESOURCE_TYPE = 'Custom::ProtonEnvironmentAccountConnection';

export const ConnectionProperty = {
  managementAccountId: 'ManagementAccountId',
  environmentName: 'EnvironmentName',
  roleArn: 'RoleArn',
  codebuildRoleArn: 'CodebuildRoleArn',
  componentRoleArn: 'ComponentRoleArn',
  tags: 'Tags',
  waitForAcceptance: 'WaitForAcceptance',
  acceptanceTimeoutSeconds: 'AcceptanceTimeoutSeconds',
  retainOnDelete: 'RetainOnDelete',
  adoptExisting: 'AdoptExisting',
  replaceRejected: 'ReplaceRejected',
  endOfSupport: 'EndOfSupport',
} as const;

export const ConnectionAttribute = {
  id: 'Id',
  arn: 'Arn',
  status: 'Status',
} as const;

/** `AcceptanceTimeoutSeconds` at most: the handler's longest wait (`MAX_WAIT_SECONDS`, src/shared/handler-limits.ts). */
export const MAX_ACCEPTANCE_TIMEOUT_SECONDS = MAX_WAIT_SECONDS;
/** `AcceptanceTimeoutSeconds` when absent. */
export const DEFAULT_ACCEPTANCE_TIMEOUT_SECONDS = DEFAULT_WAIT_SECONDS;

/** What a connection resource asks for, parsed and validated. */
export interface ConnectionSpec {
  readonly managementAccountId: string;
  readonly environmentName: string;
  readonly roleArn: string;
  readonly codebuildRoleArn?: string;
  readonly componentRoleArn?: string;
  readonly tags: Record<string, string>;
  readonly waitForAcceptance: boolean;
  readonly acceptanceTimeoutSeconds: number;
  readonly retainOnDelete: boolean;
  readonly adoptExisting: boolean;
  readonly replaceRejected: boolean;
  readonly endOfSupport: boolean;
}

/** Parses CloudFormation's (stringly typed) resource properties; throws naming the property. */
export function parseConnectionSpec(props: Record<string, unknown>): ConnectionSpec {
  return {
    managementAccountId: accountIdProperty(props, ConnectionProperty.managementAccountId),
    environmentName: environmentNameProperty(props, ConnectionProperty.environmentName),
    ...rolesProperty(props),
    tags: tagsProperty(props, ConnectionProperty.tags),
    waitForAcceptance: booleanProperty(props, ConnectionProperty.waitForAcceptance, false),
    acceptanceTimeoutSeconds: integerProperty(
      props,
      ConnectionProperty.acceptanceTimeoutSeconds,
      DEFAULT_ACCEPTANCE_TIMEOUT_SECONDS,
      1,
      MAX_ACCEPTANCE_TIMEOUT_SECONDS,
    ),
    retainOnDelete: booleanProperty(props, ConnectionProperty.retainOnDelete, false),
    adoptExisting: booleanProperty(props, ConnectionProperty.adoptExisting, false),
    replaceRejected: booleanProperty(props, ConnectionProperty.replaceRejected, false),
    endOfSupport: booleanProperty(props, ConnectionProperty.endOfSupport, false),
  };
}

/**
 * What a Delete (or the old side of an Update) can tell from properties that may not parse: a
 * rollback carries the very values whose Create or Update failed. Nothing here throws; a
 * value that does not parse is left out, and what it would have named was never filed.
 */
export interface LenientConnectionSpec {
  readonly managementAccountId?: string;
  readonly environmentName?: string;
  /** The roles, only when all three parse (the old side of a role update). */
  readonly roles?: Pick<ConnectionSpec, 'roleArn' | 'codebuildRoleArn' | 'componentRoleArn'>;
  readonly tags?: Record<string, string>;
  readonly retainOnDelete: boolean;
  readonly endOfSupport: boolean;
}

/** The connection's three roles; throws naming the property. */
function rolesProperty(props: Record<string, unknown>): Pick<ConnectionSpec, 'roleArn' | 'codebuildRoleArn' | 'componentRoleArn'> {
  return {
    roleArn: roleArnProperty(props, ConnectionProperty.roleArn, true, RETURNED_ROLE_ARN_MAX_LENGTH),
    codebuildRoleArn: roleArnProperty(props, ConnectionProperty.codebuildRoleArn, false),
    componentRoleArn: roleArnProperty(props, ConnectionProperty.componentRoleArn, false, RETURNED_ROLE_ARN_MAX_LENGTH),
  };
}

export function parseConnectionSpecLeniently(props: Record<string, unknown>): LenientConnectionSpec {
  return {
    managementAccountId: orUndefined(() => accountIdProperty(props, ConnectionProperty.managementAccountId)),
    environmentName: orUndefined(() => environmentNameProperty(props, ConnectionProperty.environmentName)),
    roles: orUndefined(() => rolesProperty(props)),
    tags: orUndefined(() => tagsProperty(props, ConnectionProperty.tags)),
    retainOnDelete: orUndefined(() => booleanProperty(props, ConnectionProperty.retainOnDelete, false)) ?? false,
    endOfSupport: orUndefined(() => booleanProperty(props, ConnectionProperty.endOfSupport, false)) ?? false,
  };
}

function orUndefined<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}
