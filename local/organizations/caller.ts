/**
 * Who is calling Organizations: the account from the access key id of the SigV4 `Authorization` header (the
 * `LOCAL<12-digit account>` convention or the endpoint's `accessKeys`), the scope's service must be
 * `organizations`. As for Proton, signatures are NOT verified.
 */
import { accountFromAccessKeyId } from '../local-credentials';
import { OrganizationsError } from './errors';

export interface OrganizationsCaller {
  readonly accessKeyId: string;
  readonly accountId: string;
  /** The signing Region of the scope (Organizations is a global service: the SDK signs with us-east-1 by default). */
  readonly region: string;
}

const AUTHORIZATION_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/;
const SCOPE_PATTERN = /^([A-Za-z0-9]+)\/(\d{8})\/([a-z]{2}(?:-[a-z0-9]+)+)\/([a-z0-9-]+)\/aws4_request$/;

function denied(message: string): OrganizationsError {
  return new OrganizationsError('AccessDeniedException', message);
}

/** @throws OrganizationsError AccessDeniedException when the header is missing, malformed, for another service, or its key is unknown */
export function resolveOrganizationsCaller(authorization: string | undefined, accessKeys: Record<string, string> = {}): OrganizationsCaller {
  if (!authorization) throw denied('Missing Authentication Token: the request has no SigV4 Authorization header');
  const header = AUTHORIZATION_PATTERN.exec(authorization.trim());
  if (!header) {
    throw denied('Authorization header is not a valid AWS4-HMAC-SHA256 signature (expected "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...")');
  }
  const scope = SCOPE_PATTERN.exec(header[1]);
  if (!scope) throw denied(`Credential scope "${header[1]}" is malformed (expected <access key id>/<yyyymmdd>/<region>/organizations/aws4_request)`);
  const [, accessKeyId, , region, service] = scope;
  if (service !== 'organizations') throw denied(`Credential should be scoped to correct service: 'organizations' (got '${service}')`);
  const mapped = Object.prototype.hasOwnProperty.call(accessKeys, accessKeyId) ? accessKeys[accessKeyId] : undefined;
  const accountId = mapped ?? accountFromAccessKeyId(accessKeyId);
  if (!accountId) throw denied(`The security token included in the request is invalid: unknown access key id "${accessKeyId}"`);
  return { accessKeyId, accountId, region };
}
