/**
 * Who is calling: the account comes from the access key id in the SigV4 `Authorization`
 * header, the Region from its credential scope. Signatures are NOT verified: the local
 * endpoint trusts the access key id (see README).
 */
import { accountFromAccessKeyId } from '../local-credentials';
import { accessDenied } from './errors';

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export interface CallerIdentity {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: Partition;
}

/** The partition a Region belongs to. */
export function partitionForRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const AUTHORIZATION_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/;
const SCOPE_PATTERN = /^([A-Za-z0-9]+)\/(\d{8})\/([a-z]{2}(?:-[a-z0-9]+)+)\/([a-z0-9-]+)\/aws4_request$/;

/**
 * Resolves the caller from an `Authorization` header.
 * @param accessKeys explicit access key id -> account id mapping, checked before the `LOCAL<account>` convention
 * @throws ProtonError AccessDeniedException when the header is missing or malformed, the scope does not name
 *   the `proton` service, or the access key id is unknown
 */
export function resolveCaller(authorization: string | undefined, accessKeys: Record<string, string> = {}): CallerIdentity {
  if (!authorization) {
    throw accessDenied('Missing Authentication Token: the request has no SigV4 Authorization header');
  }
  const header = AUTHORIZATION_PATTERN.exec(authorization.trim());
  if (!header) {
    throw accessDenied('Authorization header is not a valid AWS4-HMAC-SHA256 signature (expected "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...")');
  }
  const scope = SCOPE_PATTERN.exec(header[1]);
  if (!scope) {
    throw accessDenied(`Credential scope "${header[1]}" is malformed (expected <access key id>/<yyyymmdd>/<region>/proton/aws4_request)`);
  }
  const [, accessKeyId, , region, service] = scope;
  if (service !== 'proton') {
    throw accessDenied(`Credential should be scoped to correct service: 'proton' (got '${service}')`);
  }
  const mapped = Object.prototype.hasOwnProperty.call(accessKeys, accessKeyId) ? accessKeys[accessKeyId] : undefined;
  const accountId = mapped ?? accountFromAccessKeyId(accessKeyId);
  if (!accountId) {
    throw accessDenied(`The security token included in the request is invalid: unknown access key id "${accessKeyId}"`);
  }
  return { accessKeyId, accountId, region, partition: partitionForRegion(region) };
}
