/**
 * The local AWS Organizations read surface, served by the local endpoint when it is started with an organization
 * (`startLocalProton({ organization })`, `cdk-proton-local endpoint --organization <file.json>`). See README.md.
 */
export { OrganizationDocumentError, normalizeOrganizationDocument, MAX_OU_DEPTH, ORGANIZATION_ACCOUNT_STATUSES } from './document';
export type {
  OrganizationDocument,
  OrganizationAccountInput,
  OrganizationalUnitInput,
  OrganizationAccountStatus,
  OrganizationAccountJoinedMethod,
  OrganizationSnapshot,
  OrganizationAccountSnapshot,
  OrganizationalUnitSnapshot,
} from './document';
export { OrganizationChangeError } from './organization';
export type { AddAccountInput, AddOrganizationalUnitInput } from './organization';
export type { LocalOrganizationsAdmin } from './admin';
export { ORGANIZATIONS_ADMIN_PREFIX } from './admin-routes';
export { ORGANIZATIONS_EVENT_SOURCE, ORGANIZATIONS_EVENT_REGION } from './events';
export type { OrganizationChange, OrganizationChangeKind, OrganizationsCloudTrailEvent, OrganizationEventFilter } from './events';
export { ANY_OPERATION as ORGANIZATIONS_ANY_OPERATION } from './faults';
export type { OrganizationsFaultOptions, OrganizationsScriptedFaultKind } from './faults';
export { ORGANIZATIONS_ERROR_STATUS } from './errors';
export type { OrganizationsErrorName, InvalidInputReason } from './errors';
export { ORGANIZATIONS_OPERATION_NAMES } from './input-validation';
export type { OrganizationsOperationName } from './input-validation';
export { DEFAULT_ORGANIZATIONS_MAX_RESULTS } from './pagination';
export { ORGANIZATIONS_TARGET_PREFIX, ORGANIZATIONS_CONTENT_TYPE } from './service';
export { LocalOrganizationsClient, OrganizationsCallError, signOrganizationsRequest } from './client';
export type { LocalOrganizationsClientOptions, RawOrganizationsResponse } from './client';
export type { AccountShape, OrganizationalUnitShape, RootShape, OrganizationShape } from './shapes';
