/**
 * The organization document the local endpoint is started with (`LocalProtonOptions.organization`, the CLI's
 * `--organization <file.json>`), its validation, and its normalized form (what `admin.organizations.organization()`
 * returns; a snapshot is itself a valid document).
 */
import {
  ACCOUNT_ID_PATTERN, derivedIdPart, EMAIL_PATTERN, ORGANIZATION_ID_PATTERN, OU_ID_PATTERN, ROOT_ID_PATTERN, rootPartOfOuId,
} from './ids';

/** `AccountStatus` of the model (the deprecated `Status`; `State` is derived from it). */
export type OrganizationAccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
export const ORGANIZATION_ACCOUNT_STATUSES: readonly OrganizationAccountStatus[] = ['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE'];

/** `AccountJoinedMethod` of the model. */
export type OrganizationAccountJoinedMethod = 'INVITED' | 'CREATED';
export const ORGANIZATION_ACCOUNT_JOINED_METHODS: readonly OrganizationAccountJoinedMethod[] = ['INVITED', 'CREATED'];

/** Organizations allows OUs nested five levels deep under the root. */
export const MAX_OU_DEPTH = 5;

export interface OrganizationAccountInput {
  /** 12 digits. */
  readonly id: string;
  /** The root id or an OU id of the document. */
  readonly parent: string;
  /** 1–128 characters (default `account-<id>`; the management account's default is `management`). */
  readonly name?: string;
  /** 6–64 characters, an email address (default `<name>@example.com`). */
  readonly email?: string;
  /** Default ACTIVE. */
  readonly status?: OrganizationAccountStatus;
  /** Default CREATED. */
  readonly joinedMethod?: OrganizationAccountJoinedMethod;
  /** ISO-8601 time or epoch seconds (default: when the document is loaded). */
  readonly joinedTimestamp?: string | number;
}

export interface OrganizationalUnitInput {
  /** `ou-<root id without "r-">-<8 to 32 of [a-z0-9]>`. */
  readonly id: string;
  /** 1–128 characters, unique among the OUs of the same parent. */
  readonly name: string;
  /** The root id or another OU id of the document. */
  readonly parent: string;
}

export interface OrganizationDocument {
  /** 12 digits. Added to the root (name `management`) when `accounts` does not list it. */
  readonly managementAccountId: string;
  /** `o-` and 10–32 of [a-z0-9] (default: derived from the management account id). */
  readonly organizationId?: string;
  /** `r-` and 4–32 of [0-9a-z] (default: the root part the OU ids share, else derived from the organization id). */
  readonly rootId?: string;
  readonly accounts: readonly OrganizationAccountInput[];
  readonly organizationalUnits?: readonly OrganizationalUnitInput[];
  /** Member accounts registered as delegated administrators (not the management account). */
  readonly delegatedAdministrators?: readonly string[];
  /** Member accounts the organization's resource-based delegation policy lets read (Describe*, List*). */
  readonly resourcePolicyReaders?: readonly string[];
}

export interface OrganizationAccountSnapshot {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly status: OrganizationAccountStatus;
  readonly parent: string;
  readonly joinedMethod: OrganizationAccountJoinedMethod;
  /** ISO-8601, millisecond precision. */
  readonly joinedTimestamp: string;
}

export interface OrganizationalUnitSnapshot {
  readonly id: string;
  readonly name: string;
  readonly parent: string;
}

/** The normalized document: every default filled in, accounts and OUs in the service's (creation) order. */
export interface OrganizationSnapshot {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly accounts: OrganizationAccountSnapshot[];
  readonly organizationalUnits: OrganizationalUnitSnapshot[];
  readonly delegatedAdministrators: string[];
  readonly resourcePolicyReaders: string[];
}

/** A document that cannot be served; `problems` names each offending field (`accounts[2].parent: ...`). */
export class OrganizationDocumentError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid organization document:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OrganizationDocumentError';
  }
}

const DOCUMENT_FIELDS = ['managementAccountId', 'organizationId', 'rootId', 'accounts', 'organizationalUnits', 'delegatedAdministrators', 'resourcePolicyReaders'];
const ACCOUNT_FIELDS = ['id', 'parent', 'name', 'email', 'status', 'joinedMethod', 'joinedTimestamp'];
const OU_FIELDS = ['id', 'name', 'parent'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/** Checks an account name (`AccountName`: 1–128 characters). */
export function accountNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string (got ${show(name)})`;
  if (name.length < 1 || name.length > 128) return `must be 1 to 128 characters (got ${name.length})`;
  return undefined;
}

/** Checks an email (`Email`: 6–64 characters, `[^\s@]+@[^\s@]+\.[^\s@]+`). */
export function emailProblem(email: unknown): string | undefined {
  if (typeof email !== 'string') return `must be a string (got ${show(email)})`;
  if (email.length < 6 || email.length > 64) return `must be 6 to 64 characters (got ${email.length})`;
  if (!EMAIL_PATTERN.test(email)) return `${show(email)} is not an email address (pattern [^\\s@]+@[^\\s@]+\\.[^\\s@]+)`;
  return undefined;
}

export function accountIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `must be a string of 12 digits (got ${show(id)})`;
  return ACCOUNT_ID_PATTERN.test(id) ? undefined : `${show(id)} is not an account id (pattern ^\\d{12}$)`;
}

export function ouIdProblem(id: unknown, rootId: string | undefined): string | undefined {
  if (typeof id !== 'string') return `must be a string (got ${show(id)})`;
  if (id.length > 68 || !OU_ID_PATTERN.test(id)) return `${show(id)} is not an organizational unit id (pattern ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$, at most 68 characters)`;
  if (rootId !== undefined && rootPartOfOuId(id) !== rootId.slice(2)) {
    return `${show(id)} is not in root ${rootId}: an OU id starts with "ou-${rootId.slice(2)}-" (the root id without "r-")`;
  }
  return undefined;
}

export function ouNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string (got ${show(name)})`;
  if (name.length < 1 || name.length > 128) return `must be 1 to 128 characters (got ${name.length})`;
  return undefined;
}

export function statusProblem(status: unknown): string | undefined {
  return ORGANIZATION_ACCOUNT_STATUSES.includes(status as OrganizationAccountStatus)
    ? undefined : `must be one of ${ORGANIZATION_ACCOUNT_STATUSES.join(', ')} (got ${show(status)})`;
}

/** An ISO-8601 string or epoch seconds, as a Date; a problem message otherwise. */
export function parseJoinedTimestamp(value: unknown): Date | string {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return new Date(Math.round(value * 1000));
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(Date.parse(value));
  return `must be an ISO-8601 time or epoch seconds (got ${show(value)})`;
}

export function defaultAccountName(id: string, managementAccountId: string): string {
  return id === managementAccountId ? 'management' : `account-${id}`;
}

export function defaultEmail(name: string, id: string): string {
  const local = name.replace(/[^A-Za-z0-9._+-]/g, '-').slice(0, 40) || `account-${id}`;
  return `${local}@example.com`;
}

function checkUnknownFields(where: string, value: Record<string, unknown>, known: readonly string[], problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push(`${where}${key}: unknown field (known: ${known.join(', ')})`);
  }
}

/**
 * Validates a document and returns it normalized. Throws OrganizationDocumentError listing every problem, each
 * naming its field.
 * @param now the default `joinedTimestamp`
 */
export function normalizeOrganizationDocument(input: unknown, now: Date = new Date()): OrganizationSnapshot {
  const problems: string[] = [];
  if (!isObject(input)) throw new OrganizationDocumentError([`the document must be a JSON object (got ${show(input)})`]);
  checkUnknownFields('', input, DOCUMENT_FIELDS, problems);

  const mgmtProblem = accountIdProblem(input.managementAccountId);
  if (input.managementAccountId === undefined) problems.push('managementAccountId: required (the 12-digit management account id)');
  else if (mgmtProblem) problems.push(`managementAccountId: ${mgmtProblem}`);
  const managementAccountId = mgmtProblem ? '000000000000' : input.managementAccountId as string;

  let organizationId = `o-${derivedIdPart(`organization:${managementAccountId}`, 10)}`;
  if (input.organizationId !== undefined) {
    if (typeof input.organizationId !== 'string' || !ORGANIZATION_ID_PATTERN.test(input.organizationId)) {
      problems.push(`organizationId: ${show(input.organizationId)} is not an organization id (pattern ^o-[a-z0-9]{10,32}$)`);
    } else {
      organizationId = input.organizationId;
    }
  }

  const rawOus = input.organizationalUnits === undefined ? [] : input.organizationalUnits;
  if (!Array.isArray(rawOus)) problems.push(`organizationalUnits: must be a list (got ${show(rawOus)})`);
  const ouList: unknown[] = Array.isArray(rawOus) ? rawOus : [];

  let rootId: string;
  if (input.rootId !== undefined) {
    if (typeof input.rootId !== 'string' || input.rootId.length > 34 || !ROOT_ID_PATTERN.test(input.rootId)) {
      problems.push(`rootId: ${show(input.rootId)} is not a root id (pattern ^r-[0-9a-z]{4,32}$)`);
      rootId = 'r-0000';
    } else {
      rootId = input.rootId;
    }
  } else {
    const parts = new Set(ouList.filter(isObject).map((ou) => ou.id).filter((id): id is string => typeof id === 'string' && OU_ID_PATTERN.test(id)).map(rootPartOfOuId));
    rootId = parts.size === 1 ? `r-${[...parts][0]}` : `r-${derivedIdPart(`root:${organizationId}`, 4)}`;
  }

  // Organizational units: ids, names, then parents (which may name OUs listed later).
  const ous: OrganizationalUnitSnapshot[] = [];
  const ouIndex = new Map<string, number>();
  ouList.forEach((raw, i) => {
    const where = `organizationalUnits[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${where}: must be an object {id, name, parent} (got ${show(raw)})`);
      return;
    }
    checkUnknownFields(`${where}.`, raw, OU_FIELDS, problems);
    const idProblem = raw.id === undefined ? 'required' : ouIdProblem(raw.id, rootId);
    if (idProblem) problems.push(`${where}.id: ${idProblem}`);
    else if (ouIndex.has(raw.id as string)) problems.push(`${where}.id: ${show(raw.id)} is listed twice (also organizationalUnits[${ouIndex.get(raw.id as string)}])`);
    const nameProblem = raw.name === undefined ? 'required' : ouNameProblem(raw.name);
    if (nameProblem) problems.push(`${where}.name: ${nameProblem}`);
    if (raw.parent === undefined) problems.push(`${where}.parent: required (the root id or an OU id)`);
    else if (typeof raw.parent !== 'string') problems.push(`${where}.parent: must be a string (got ${show(raw.parent)})`);
    if (!idProblem && !ouIndex.has(raw.id as string)) {
      ouIndex.set(raw.id as string, i);
      ous.push({ id: raw.id as string, name: typeof raw.name === 'string' ? raw.name : '', parent: typeof raw.parent === 'string' ? raw.parent : '' });
    }
  });
  const ouById = new Map(ous.map((ou) => [ou.id, ou]));
  const isParent = (id: string) => id === rootId || ouById.has(id);
  const parentProblem = (parent: string) => (isParent(parent) ? undefined
    : `${show(parent)} names neither the root (${rootId}) nor an organizational unit of the document`);
  for (const ou of ous) {
    const where = `organizationalUnits[${ouIndex.get(ou.id)}].parent`;
    if (ou.parent === '') continue; // reported above
    if (ou.parent === ou.id) {problems.push(`${where}: ${ou.id} cannot be its own parent`);} else {
      const problem = parentProblem(ou.parent);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  }
  // Cycles and depth, once per OU.
  const depthOf = new Map<string, number>();
  const reportedCycles = new Set<string>();
  for (const ou of ous) {
    const chain: string[] = [];
    let current: OrganizationalUnitSnapshot | undefined = ou;
    while (current && !depthOf.has(current.id) && !chain.includes(current.id)) {
      chain.push(current.id);
      current = current.parent === current.id ? undefined : ouById.get(current.parent);
    }
    if (current && chain.includes(current.id)) {
      const cycle = chain.slice(chain.indexOf(current.id));
      const key = [...cycle].sort().join(',');
      if (!reportedCycles.has(key) && cycle.length > 1) {
        reportedCycles.add(key);
        problems.push(`organizationalUnits[${ouIndex.get(cycle[0])}].parent: cycle ${[...cycle, cycle[0]].join(' -> ')} (every OU must lead up to the root)`);
      }
      for (const id of chain) depthOf.set(id, Number.NaN);
      continue;
    }
    let depth = current ? depthOf.get(current.id)! : 0;
    for (const id of [...chain].reverse()) {
      depth = Number.isNaN(depth) ? depth : depth + 1;
      depthOf.set(id, depth);
    }
  }
  for (const ou of ous) {
    const depth = depthOf.get(ou.id)!;
    if (depth > MAX_OU_DEPTH) {
      problems.push(`organizationalUnits[${ouIndex.get(ou.id)}].parent: ${ou.id} would be ${depth} levels deep; Organizations allows at most ${MAX_OU_DEPTH} levels of OUs under the root`);
    }
  }
  // Sibling names.
  const siblingNames = new Map<string, number>();
  ous.forEach((ou) => {
    const key = `${ou.parent}\u0000${ou.name}`;
    if (ou.name === '' || ou.parent === '') return;
    if (siblingNames.has(key)) {
      problems.push(`organizationalUnits[${ouIndex.get(ou.id)}].name: "${ou.name}" is already the name of organizationalUnits[${siblingNames.get(key)}] under ${ou.parent} (OU names are unique among siblings)`);
    } else {
      siblingNames.set(key, ouIndex.get(ou.id)!);
    }
  });

  // Accounts.
  const accounts: OrganizationAccountSnapshot[] = [];
  const accountIndex = new Map<string, number>();
  if (input.accounts === undefined) problems.push('accounts: required (a list of {id, parent, ...}; it may be empty)');
  else if (!Array.isArray(input.accounts)) problems.push(`accounts: must be a list (got ${show(input.accounts)})`);
  const accountList: unknown[] = Array.isArray(input.accounts) ? input.accounts : [];
  accountList.forEach((raw, i) => {
    const where = `accounts[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${where}: must be an object {id, parent, ...} (got ${show(raw)})`);
      return;
    }
    checkUnknownFields(`${where}.`, raw, ACCOUNT_FIELDS, problems);
    const idProblem = raw.id === undefined ? 'required' : accountIdProblem(raw.id);
    const id = raw.id as string;
    if (idProblem) problems.push(`${where}.id: ${idProblem}`);
    else if (accountIndex.has(id)) problems.push(`${where}.id: ${id} is listed twice (also accounts[${accountIndex.get(id)}]); an account belongs to one parent`);
    let parent = '';
    if (raw.parent === undefined) {problems.push(`${where}.parent: required (the root id ${rootId} or an OU id)`);} else if (typeof raw.parent !== 'string') {problems.push(`${where}.parent: must be a string (got ${show(raw.parent)})`);} else {
      const problem = parentProblem(raw.parent);
      if (problem) problems.push(`${where}.parent: ${problem}`);
      parent = raw.parent;
    }
    const name = raw.name === undefined ? defaultAccountName(idProblem ? '000000000000' : id, managementAccountId) : raw.name;
    const nameProblem = accountNameProblem(name);
    if (nameProblem) problems.push(`${where}.name: ${nameProblem}`);
    const email = raw.email === undefined ? defaultEmail(typeof name === 'string' ? name : '', id) : raw.email;
    const mailProblem = emailProblem(email);
    if (mailProblem) problems.push(`${where}.email: ${mailProblem}`);
    const status = raw.status === undefined ? 'ACTIVE' : raw.status;
    const stateProblem = statusProblem(status);
    if (stateProblem) problems.push(`${where}.status: ${stateProblem}`);
    const joinedMethod = raw.joinedMethod === undefined ? 'CREATED' : raw.joinedMethod;
    if (!ORGANIZATION_ACCOUNT_JOINED_METHODS.includes(joinedMethod as OrganizationAccountJoinedMethod)) {
      problems.push(`${where}.joinedMethod: must be one of ${ORGANIZATION_ACCOUNT_JOINED_METHODS.join(', ')} (got ${show(joinedMethod)})`);
    }
    const joined = raw.joinedTimestamp === undefined ? now : parseJoinedTimestamp(raw.joinedTimestamp);
    if (typeof joined === 'string') problems.push(`${where}.joinedTimestamp: ${joined}`);
    if (!idProblem && !accountIndex.has(id)) {
      accountIndex.set(id, i);
      accounts.push({
        id,
        name: name as string,
        email: email as string,
        status: status as OrganizationAccountStatus,
        parent,
        joinedMethod: joinedMethod as OrganizationAccountJoinedMethod,
        joinedTimestamp: (typeof joined === 'string' ? now : joined).toISOString(),
      });
    }
  });
  if (!mgmtProblem && !accountIndex.has(managementAccountId)) {
    const name = defaultAccountName(managementAccountId, managementAccountId);
    accounts.unshift({
      id: managementAccountId,
      name,
      email: defaultEmail(name, managementAccountId),
      status: 'ACTIVE',
      parent: rootId,
      joinedMethod: 'CREATED',
      joinedTimestamp: now.toISOString(),
    });
  }
  const management = accounts.find((a) => a.id === managementAccountId);
  if (management && management.status !== 'ACTIVE') {
    problems.push(`accounts[${accountIndex.get(managementAccountId)}].status: the management account is always ACTIVE (got ${management.status})`);
  }

  const memberList = (field: 'delegatedAdministrators' | 'resourcePolicyReaders'): string[] => {
    const raw = input[field];
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      problems.push(`${field}: must be a list of account ids (got ${show(raw)})`);
      return [];
    }
    const out: string[] = [];
    raw.forEach((id, i) => {
      const problem = accountIdProblem(id);
      if (problem) problems.push(`${field}[${i}]: ${problem}`);
      else if (id === managementAccountId) problems.push(`${field}[${i}]: ${id} is the management account, which needs no delegation`);
      else if (!accountIndex.has(id)) problems.push(`${field}[${i}]: ${id} is not an account of the organization (list it under accounts)`);
      else if (out.includes(id)) problems.push(`${field}[${i}]: ${id} is listed twice`);
      else out.push(id);
    });
    return out;
  };
  const delegatedAdministrators = memberList('delegatedAdministrators');
  const resourcePolicyReaders = memberList('resourcePolicyReaders');

  if (problems.length > 0) throw new OrganizationDocumentError(problems);
  return { organizationId, managementAccountId, rootId, accounts, organizationalUnits: ous, delegatedAdministrators, resourcePolicyReaders };
}
