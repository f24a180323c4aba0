/**
 * A local AWS Proton endpoint for environment account connections: the repository's offline
 * ground truth now that Proton's public API is gone. See README.md in this directory.
 */
export { startLocalProton } from './server';
export type { LocalProton, LocalProtonOptions } from './server';
export { ADMIN_PREFIX } from './admin';
export type { LocalProtonAdmin, EventFilter } from './admin';
export type { FaultOptions, ScriptedFaultKind, FaultKind } from './faults';
export { END_OF_SUPPORT_MODES, HTML_403_BODY } from './end-of-support';
export type { EndOfSupportMode } from './end-of-support';
export type { CallCounts } from './call-counts';
export { DEFAULT_LIST_MAX_RESULTS, DEFAULT_QUOTA_PER_ENVIRONMENT_ACCOUNT } from './connection-store';
export type {
  EnvironmentAccountConnection,
  EnvironmentAccountConnectionSummary,
  DumpedConnection,
  OrphanedEnvironment,
  StoreDump,
} from './connection-store';
export { EVENT_SOURCE, EVENT_DETAIL_TYPE } from './events';
export type { ConnectionStatusChangeEvent } from './events';
export { partitionForRegion, resolveCaller } from './caller-identity';
export type { CallerIdentity, Partition } from './caller-identity';
export { ERROR_STATUS } from './errors';
export type { ProtonErrorName } from './errors';
export { OPERATION_NAMES, TARGET_PREFIX } from './operations';
