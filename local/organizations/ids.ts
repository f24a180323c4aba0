/**
 * Identifier patterns of AWS Organizations (botocore `organizations/2016-11-28/service-2.json`), and the ARNs and
 * entity paths the service forms from them.
 */
import { createHash } from 'node:crypto';

/** `AccountId`: `^\d{12}$`, at most 12 characters. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** `OrganizationalUnitId`: `^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`, at most 68 characters. */
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
/** `RootId`: `^r-[0-9a-z]{4,32}$`, at most 34 characters. */
export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
/** `OrganizationId`: `^o-[a-z0-9]{10,32}$`. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
/** `Email`: 6–64 characters, `[^\s@]+@[^\s@]+\.[^\s@]+`. */
export const EMAIL_PATTERN = /[^\s@]+@[^\s@]+\.[^\s@]+/;

/** The root part of an OU id: `ou-<root id without "r-">-<suffix>`. */
export function rootPartOfOuId(ouId: string): string {
  return ouId.split('-')[1];
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `length` characters of [0-9a-z] derived from `seed` (stable: the same seed gives the same id). */
export function derivedIdPart(seed: string, length: number): string {
  let out = '';
  let block = 0;
  while (out.length < length) {
    const digest = createHash('sha256').update(`${seed}#${block++}`).digest();
    for (const byte of digest) {
      if (out.length >= length) break;
      out += ID_ALPHABET[byte % ID_ALPHABET.length];
    }
  }
  return out;
}

/** ARNs as the service forms them (partition `aws`: the model's ARN patterns name only that one). */
export const arns = {
  organization: (mgmt: string, orgId: string) => `arn:aws:organizations::${mgmt}:organization/${orgId}`,
  account: (mgmt: string, orgId: string, accountId: string) => `arn:aws:organizations::${mgmt}:account/${orgId}/${accountId}`,
  organizationalUnit: (mgmt: string, orgId: string, ouId: string) => `arn:aws:organizations::${mgmt}:ou/${orgId}/${ouId}`,
  root: (mgmt: string, orgId: string, rootId: string) => `arn:aws:organizations::${mgmt}:root/${orgId}/${rootId}`,
};
