/**
 * Input checks of the read operations, from the constraints of botocore's Organizations model: required members,
 * JSON types, length, pattern (an ECMA-262 regular expression searched as Smithy defines it, so a pattern such as
 * ParentId's `^(r-...)|(ou-...)$` is an alternation of two half-anchored branches), enum and range. The first member
 * (in the model's member order) that fails answers InvalidInputException with the model's `Reason`; a member of the
 * wrong JSON type, or one the operation does not have, answers SerializationException.
 */
import { invalidInput, OrganizationsError } from './errors';

interface MemberSpec {
  readonly name: string;
  readonly shape: string;
  readonly required?: boolean;
  readonly type: 'string' | 'integer';
  readonly max?: number;
  readonly min?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

const PARENT_ID: MemberSpec = { name: 'ParentId', shape: 'ParentId', required: true, type: 'string', max: 100, pattern: '^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$' };
const CHILD_ID: MemberSpec = { name: 'ChildId', shape: 'ChildId', required: true, type: 'string', max: 100, pattern: '^(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$' };
const CHILD_TYPE: MemberSpec = { name: 'ChildType', shape: 'ChildType', required: true, type: 'string', enum: ['ACCOUNT', 'ORGANIZATIONAL_UNIT'] };
const ACCOUNT_ID: MemberSpec = { name: 'AccountId', shape: 'AccountId', required: true, type: 'string', max: 12, pattern: '^\\d{12}$' };
const OU_ID: MemberSpec = { name: 'OrganizationalUnitId', shape: 'OrganizationalUnitId', required: true, type: 'string', max: 68, pattern: '^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$' };
const NEXT_TOKEN: MemberSpec = { name: 'NextToken', shape: 'NextToken', type: 'string', max: 100000, pattern: '[\\s\\S]*' };
const MAX_RESULTS: MemberSpec = { name: 'MaxResults', shape: 'MaxResults', type: 'integer', min: 1, max: 20 };

/** The input members of each operation, in the model's order. */
export const OPERATION_INPUTS = {
  ListRoots: [NEXT_TOKEN, MAX_RESULTS],
  ListChildren: [PARENT_ID, CHILD_TYPE, NEXT_TOKEN, MAX_RESULTS],
  ListAccountsForParent: [PARENT_ID, NEXT_TOKEN, MAX_RESULTS],
  ListOrganizationalUnitsForParent: [PARENT_ID, NEXT_TOKEN, MAX_RESULTS],
  ListParents: [CHILD_ID, NEXT_TOKEN, MAX_RESULTS],
  DescribeAccount: [ACCOUNT_ID],
  DescribeOrganizationalUnit: [OU_ID],
  DescribeOrganization: [],
  ListAccounts: [NEXT_TOKEN, MAX_RESULTS],
} as const satisfies Record<string, readonly MemberSpec[]>;

export type OrganizationsOperationName = keyof typeof OPERATION_INPUTS;
export const ORGANIZATIONS_OPERATION_NAMES = Object.keys(OPERATION_INPUTS) as OrganizationsOperationName[];

export function isOrganizationsOperationName(name: unknown): name is OrganizationsOperationName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(OPERATION_INPUTS, name);
}

const patterns = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    patterns.set(pattern, re);
  }
  return re;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value) : JSON.stringify(value);
  return text ?? String(value);
}

/** The validated input: members as given (absent and `null` members omitted). */
export type ValidInput = Readonly<Record<string, string | number>>;

export function validateInput(operation: OrganizationsOperationName, input: Record<string, unknown>): ValidInput {
  const members: readonly MemberSpec[] = OPERATION_INPUTS[operation];
  for (const key of Object.keys(input)) {
    if (!members.some((m) => m.name === key)) {
      const known = members.length ? members.map((m) => m.name).join(', ') : 'none';
      throw new OrganizationsError('SerializationException', `${operation} has no input member '${key}' (its members: ${known})`);
    }
  }
  for (const m of members) {
    const value = input[m.name];
    if (value === undefined || value === null) continue;
    if (m.type === 'string' && typeof value !== 'string') {
      throw new OrganizationsError('SerializationException', `${m.name} must be a string (shape ${m.shape}; got ${show(value)})`);
    }
    if (m.type === 'integer' && (typeof value !== 'number' || !Number.isInteger(value))) {
      throw new OrganizationsError('SerializationException', `${m.name} must be an integer (shape ${m.shape}; got ${show(value)})`);
    }
  }
  const valid: Record<string, string | number> = {};
  for (const m of members) {
    const value = input[m.name] as string | number | undefined | null;
    if (value === undefined || value === null) {
      if (m.required) throw invalidInput('INPUT_REQUIRED', `You must include a value for all required parameters: ${m.name} is missing.`);
      continue;
    }
    if (typeof value === 'string') {
      const length = [...value].length;
      if (m.min !== undefined && length < m.min) {
        throw invalidInput('MIN_LENGTH_EXCEEDED', `You provided a string parameter that is shorter than allowed: ${m.name} has ${length} characters, at least ${m.min}.`);
      }
      if (m.max !== undefined && length > m.max) {
        throw invalidInput('MAX_LENGTH_EXCEEDED', `You provided a string parameter that is longer than allowed: ${m.name} has ${length} characters, at most ${m.max}.`);
      }
      if (m.pattern !== undefined && !regex(m.pattern).test(value)) {
        throw invalidInput('INVALID_PATTERN', `You provided a value that doesn't match the required pattern: ${m.name} ${show(value)} does not match ${m.pattern}.`);
      }
      if (m.enum !== undefined && !m.enum.includes(value)) {
        throw invalidInput('INVALID_ENUM', `You specified an invalid value: ${m.name} ${show(value)} is not one of ${m.enum.join(', ')}.`);
      }
    } else {
      if (m.min !== undefined && value < m.min) {
        throw invalidInput('MIN_VALUE_EXCEEDED', `You provided a numeric parameter that has a smaller value than allowed: ${m.name} is ${value}, at least ${m.min}.`);
      }
      if (m.max !== undefined && value > m.max) {
        throw invalidInput('MAX_VALUE_EXCEEDED', `You provided a numeric parameter that has a larger value than allowed: ${m.name} is ${value}, at most ${m.max}.`);
      }
    }
    valid[m.name] = value;
  }
  return valid;
}
