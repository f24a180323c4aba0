/**
 * Pagination of the List* operations: `MaxResults` 1–20 (the model's range; the service documents the default only
 * as "specific to the operation", the local endpoint uses 20 for every operation), and an opaque `NextToken` bound to
 * the operation and its parameters. A token is a cursor (the sequence number of the last item returned), so items
 * removed between two pages do not shift the next page.
 */
import { invalidInput } from './errors';

/** The page size when `MaxResults` is omitted. */
export const DEFAULT_ORGANIZATIONS_MAX_RESULTS = 20;

interface TokenContent {
  readonly v: 1;
  readonly op: string;
  readonly scope: string;
  readonly after: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

export function encodeToken(op: string, scope: string, after: number): string {
  const content: TokenContent = { v: 1, op, scope, after };
  return Buffer.from(JSON.stringify(content), 'utf8').toString('base64');
}

function badToken(): Error {
  return invalidInput('INVALID_NEXT_TOKEN', 'The NextToken is not valid for this request: get it from the response to a previous call of the same operation with the same parameters.');
}

/** The cursor a token carries; InvalidInputException (INVALID_NEXT_TOKEN) when it is not one of this query's tokens. */
export function decodeToken(token: string, op: string, scope: string): number {
  let content: Partial<TokenContent>;
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw badToken();
    content = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw badToken();
  }
  if (typeof content !== 'object' || content === null || content.v !== 1 || content.op !== op || content.scope !== scope
    || typeof content.after !== 'number' || !Number.isInteger(content.after)) {
    throw badToken();
  }
  return content.after;
}

/**
 * One page of `items` (already in sequence order).
 * @param emptyPage answer no items but a token for the same position (the documented "List* operations can
 *   occasionally return an empty set of results even when more results are available"; a fault option)
 */
export function paginate<T>(
  items: readonly T[], seqOf: (item: T) => number, op: string, scope: string,
  input: { NextToken?: string | number; MaxResults?: string | number }, emptyPage = false,
): Page<T> {
  const after = input.NextToken === undefined ? 0 : decodeToken(String(input.NextToken), op, scope);
  const max = input.MaxResults === undefined ? DEFAULT_ORGANIZATIONS_MAX_RESULTS : Number(input.MaxResults);
  const rest = items.filter((item) => seqOf(item) > after);
  if (emptyPage && rest.length > 0) return { items: [], nextToken: encodeToken(op, scope, after) };
  const page = rest.slice(0, max);
  const more = rest.length > page.length;
  return { items: page, nextToken: more ? encodeToken(op, scope, seqOf(page[page.length - 1])) : undefined };
}
