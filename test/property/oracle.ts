/**
 * An oracle for the property tests, written from the documented constraints
 * (docs/PROTON-API.md, the AWS Proton service model, IAM's documented limits) and
 * deliberately NOT from `src/shared/proton-patterns.ts`: no regular expression or helper is
 * shared with the library, so a library that accepts invalid input or rejects valid input
 * disagrees with this file.
 *
 * Lengths are counted in Unicode characters (code points), as the AWS service models'
 * `min`/`max` on strings do.
 */

const ASCII_DIGITS = '0123456789';
const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function isAsciiDigit(c: string): boolean {
  return c.length === 1 && ASCII_DIGITS.includes(c);
}

function isAsciiAlnum(c: string): boolean {
  return c.length === 1 && (ASCII_DIGITS.includes(c) || ASCII_LETTERS.includes(c));
}

/** Unicode characters (code points), not UTF-16 code units. */
export function charCount(s: string): number {
  return [...s].length;
}

/** Account ids: exactly 12 ASCII digits. */
export function validAccountId(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 12) return false;
  for (const c of value) if (!isAsciiDigit(c)) return false;
  return true;
}

/** Environment names: 1-100 characters; an ASCII letter or digit first, then letters, digits, `_`, `-`. */
export function validEnvironmentName(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const chars = [...value];
  if (chars.length < 1 || chars.length > 100) return false;
  if (!isAsciiAlnum(chars[0])) return false;
  return chars.every((c) => isAsciiAlnum(c) || c === '_' || c === '-');
}

const PARTITIONS_PROTON_ACCEPTS = ['aws', 'aws-cn', 'aws-us-gov'];

/** IAM name characters: `\w` (ASCII) and `+=,.@-`. */
function isIamNameChar(c: string): boolean {
  return isAsciiAlnum(c) || (c.length === 1 && '_+=,.@-'.includes(c));
}

/**
 * Role ARNs Proton accepts: `arn:<aws|aws-cn|aws-us-gov>:iam::<12 digits>:role/<path segments>/<name>`,
 * 1-2048 characters; segments are separated by `/` or `:`, every segment is 1+ IAM name
 * characters, path segments at most 512, the final name at most 64.
 */
export function validRoleArn(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (value.length < 1 || value.length > 2048) return false;
  const prefix = 'arn:';
  if (!value.startsWith(prefix)) return false;
  const rest = value.slice(prefix.length);
  const partitionEnd = rest.indexOf(':');
  if (partitionEnd < 0) return false;
  const partition = rest.slice(0, partitionEnd);
  if (!PARTITIONS_PROTON_ACCEPTS.includes(partition)) return false;
  const afterPartition = rest.slice(partitionEnd + 1);
  if (!afterPartition.startsWith('iam::')) return false;
  const accountAndResource = afterPartition.slice('iam::'.length);
  const account = accountAndResource.slice(0, 12);
  if (!validAccountId(account)) return false;
  const resource = accountAndResource.slice(12);
  if (!resource.startsWith(':role/')) return false;
  const names = resource.slice(':role/'.length);
  const segments: string[] = [];
  let current = '';
  for (const c of names) {
    if (c === '/' || c === ':') {
      segments.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  segments.push(current);
  const last = segments[segments.length - 1];
  const path = segments.slice(0, -1);
  const segmentOk = (s: string, max: number) => s.length >= 1 && s.length <= max && [...s].every(isIamNameChar);
  return path.every((s) => segmentOk(s, 512)) && segmentOk(last, 64);
}

/** The 12-digit account of a role ARN, if the ARN has the documented shape. */
export function roleArnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 ? parts[4] : undefined;
}

/**
 * Tags: at most 50; keys 1-128 characters and not in the reserved `aws:` namespace (any case);
 * values strings of 0-256 characters.
 */
export function validTags(tags: unknown): boolean {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return false;
  const entries = Object.entries(tags);
  if (entries.length > 50) return false;
  return entries.every(([key, value]) => {
    const keyLength = charCount(key);
    if (keyLength < 1 || keyLength > 128) return false;
    if (key.slice(0, 4).toLowerCase() === 'aws:') return false;
    return typeof value === 'string' && charCount(value) <= 256;
  });
}

/** IAM role names: 1-64 characters of `\w+=,.@-`. */
export function validIamRoleName(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 64 && [...value].every(isIamNameChar);
}

/** IAM role descriptions: at most 1000 characters. */
export function validRoleDescription(value: unknown): boolean {
  return typeof value === 'string' && charCount(value) <= 1000;
}

/** CDK bootstrap qualifiers: 1-10 letters, digits, `_` or `-`. */
export function validBootstrapQualifier(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 10 && [...value].every((c) => isAsciiAlnum(c) || c === '_' || c === '-');
}

/** IAM service prefixes: lowercase letters, digits and `-`, starting with a letter or digit. */
export function validServicePrefix(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  const ok = (c: string) => c.length === 1 && (ASCII_DIGITS.includes(c) || 'abcdefghijklmnopqrstuvwxyz'.includes(c));
  return ok(value[0]) && [...value].every((c) => ok(c) || c === '-');
}

/** Services a Proton provisioning role must never be granted (the documented default excludes them). */
export function forbiddenService(value: string): boolean {
  return value === 'organizations' || value === 'account';
}

/** `<service>:<Action>` with an action of letters, digits and `*`. */
export function validAction(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const colon = value.indexOf(':');
  if (colon < 0) return false;
  const service = value.slice(0, colon);
  const action = value.slice(colon + 1);
  return validServicePrefix(service) && !forbiddenService(service) && action.length > 0 && [...action].every((c) => isAsciiAlnum(c) || c === '*');
}

/** Whole seconds within [min, max] from an exact millisecond count. */
export function wholeSecondsWithin(millis: number, min: number, max: number): boolean {
  return Number.isInteger(millis) && millis % 1000 === 0 && millis / 1000 >= min && millis / 1000 <= max;
}

/** The partitions of a Region, when it is known. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/**
 * A canonical decimal integer as CloudFormation sends numbers: optional `-`, then ASCII digits,
 * no leading zeros (other than "0" itself), no whitespace, no exponent.
 */
export function canonicalInteger(value: string): number | undefined {
  const digits = value.startsWith('-') ? value.slice(1) : value;
  if (digits.length === 0 || ![...digits].every(isAsciiDigit)) return undefined;
  if (digits.length > 1 && digits[0] === '0') return undefined;
  if (value === '-0') return undefined;
  return Number(value);
}

