/**
 * How the local Proton endpoint and the local deployer agree on "who is calling".
 *
 * Convention: an access key id of the form `LOCAL<12-digit account id>` (anything may follow)
 * belongs to that account. The endpoint also accepts an explicit access-key-to-account
 * mapping; this convention is the default so that no mapping has to be shared between
 * processes. Secrets are not checked by the endpoint (see its README section).
 */
export const LOCAL_ACCESS_KEY_PREFIX = 'LOCAL';

/** The fixed secret used with local credentials. The endpoint does not verify signatures. */
export const LOCAL_SECRET_ACCESS_KEY = 'local-secret-access-key-not-checked';

/** Static credentials that the local endpoint maps to `accountId`. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Credentials that identify `accountId` to the local endpoint. */
export function credentialsForAccount(accountId: string): LocalCredentials {
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`credentialsForAccount: "${accountId}" is not a 12-digit account id`);
  }
  return { accessKeyId: `${LOCAL_ACCESS_KEY_PREFIX}${accountId}`, secretAccessKey: LOCAL_SECRET_ACCESS_KEY };
}

/** The account an access key id names by convention, or `undefined` when it does not follow it. */
export function accountFromAccessKeyId(accessKeyId: string): string | undefined {
  const match = /^LOCAL(\d{12})/.exec(accessKeyId);
  return match ? match[1] : undefined;
}
