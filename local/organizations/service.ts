/**
 * The Organizations requests of the local endpoint: awsJson1_1 as `@aws-sdk/client-organizations` sends it
 * (`POST /`, `content-type: application/x-amz-json-1.1`, `x-amz-target: AWSOrganizationsV20161128.<Operation>`,
 * SigV4 scoped to `organizations`). The endpoint's server hands every request whose target has that prefix here.
 *
 * Order: route and operation -> caller identity (counted from here on) -> faults -> content type and JSON ->
 * organization in use and access -> input constraints -> the operation.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { authorize } from './access';
import { LocalOrganizationsAdmin, OrganizationsAdmin } from './admin';
import { OrganizationsBackend } from './backend';
import { OrganizationsCaller, resolveOrganizationsCaller } from './caller';
import { OrganizationsError } from './errors';
import { OrganizationsFaultOptions } from './faults';
import { isOrganizationsOperationName, ORGANIZATIONS_OPERATION_NAMES, OrganizationsOperationName, validateInput } from './input-validation';
import { LIST_OPERATIONS, ORGANIZATIONS_OPERATIONS } from './operations';
import { header, sendJson, sendJsonError, sleep } from '../proton-endpoint/json-http';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128';
export const ORGANIZATIONS_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Whether an `x-amz-target` header is addressed to Organizations (known operation or not). */
export function isOrganizationsTarget(target: string | undefined): boolean {
  return typeof target === 'string' && target.startsWith(`${ORGANIZATIONS_TARGET_PREFIX}.`);
}

export interface OrganizationsServiceOptions {
  /** The organization document (validated: OrganizationDocumentError); undefined: Organizations is not in use. */
  readonly organization?: unknown;
  readonly faults?: OrganizationsFaultOptions;
  /** Access key id -> account id, in addition to the `LOCAL<12-digit account>` convention. */
  readonly accessKeys?: Record<string, string>;
  readonly log?: (line: string) => void;
}


function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, ORGANIZATIONS_CONTENT_TYPE, status, body, headers);
}

function sendError(res: ServerResponse, error: OrganizationsError): void {
  sendJsonError(res, ORGANIZATIONS_CONTENT_TYPE, error);
}

const INJECTED_MESSAGES: Partial<Record<string, string>> = {
  TooManyRequestsException: 'You have sent too many requests in too short a period of time. Try again later.',
  ServiceException: "AWS Organizations can't complete your request because of an internal service error. Try again later.",
};

export class OrganizationsService {
  public readonly backend: OrganizationsBackend;
  public readonly admin: LocalOrganizationsAdmin;
  private readonly accessKeys: Record<string, string>;
  private readonly log: (line: string) => void;

  constructor(options: OrganizationsServiceOptions = {}) {
    this.backend = new OrganizationsBackend(options.organization, options.faults);
    this.admin = new OrganizationsAdmin(this.backend);
    this.accessKeys = { ...(options.accessKeys ?? {}) };
    this.log = options.log ?? (() => undefined);
  }

  /** Answers one request whose `x-amz-target` starts with `AWSOrganizationsV20161128.`. */
  public async handle(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): Promise<void> {
    if (req.method !== 'POST' || url.pathname !== '/') {
      sendError(res, new OrganizationsError('UnknownOperationException', `No route for ${req.method} ${url.pathname}: AWS Organizations' awsJson1_1 protocol uses POST /`));
      return;
    }
    const target = header(req, 'x-amz-target')!;
    const name = target.slice(ORGANIZATIONS_TARGET_PREFIX.length + 1);
    if (!isOrganizationsOperationName(name)) {
      sendError(res, new OrganizationsError('UnknownOperationException',
        `Unknown operation '${target}' (the local endpoint implements ${ORGANIZATIONS_TARGET_PREFIX}.{${ORGANIZATIONS_OPERATION_NAMES.join(',')}})`));
      return;
    }
    const operation: OrganizationsOperationName = name;

    let caller: OrganizationsCaller;
    try {
      caller = resolveOrganizationsCaller(header(req, 'authorization'), this.accessKeys);
    } catch (err) {
      this.backend.counter.record(operation, undefined);
      const error = err as OrganizationsError;
      this.log(`Organizations.${operation} ${error.errorName}`);
      sendError(res, error);
      return;
    }
    this.backend.counter.record(operation, caller.accountId);

    const isList = LIST_OPERATIONS.includes(operation);
    const decision = this.backend.injector.decide(operation, isList);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const emptyPage = decision.kind === 'EmptyPage' && isList;
    if (decision.kind !== undefined && (decision.kind !== 'EmptyPage' || isList)) this.backend.counter.recordFault(operation);
    if (decision.kind === 'ConnectionDrop') {
      this.log(`Organizations.${operation} ${caller.accountId} fault:ConnectionDrop`);
      req.socket.destroy();
      return;
    }
    if (decision.kind !== undefined && decision.kind !== 'EmptyPage') {
      this.log(`Organizations.${operation} ${caller.accountId} fault:${decision.kind}`);
      const message = decision.message ?? `${INJECTED_MESSAGES[decision.kind] ?? `Injected ${decision.kind}.`} (${decision.scripted ? 'scripted' : 'random'} fault)`;
      sendError(res, new OrganizationsError(decision.kind, message));
      return;
    }

    try {
      const contentType = header(req, 'content-type') ?? '';
      if (!contentType.toLowerCase().startsWith(ORGANIZATIONS_CONTENT_TYPE)) {
        throw new OrganizationsError('SerializationException', `content-type must be ${ORGANIZATIONS_CONTENT_TYPE} (got '${contentType}')`);
      }
      let input: unknown;
      try {
        input = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
      } catch (err) {
        throw new OrganizationsError('SerializationException', `The request body is not valid JSON: ${(err as Error).message}`);
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new OrganizationsError('SerializationException', 'The request body must be a JSON object');
      }
      const org = authorize(this.backend.organization, caller.accountId, operation);
      const valid = validateInput(operation, input as Record<string, unknown>);
      const body = ORGANIZATIONS_OPERATIONS[operation]({ org, input: valid, emptyPage });
      this.log(`Organizations.${operation} ${caller.accountId} 200${emptyPage ? ' fault:EmptyPage' : ''}`);
      send(res, 200, body);
    } catch (err) {
      const error = err instanceof OrganizationsError ? err
        : new OrganizationsError('ServiceException', `Internal error in the local endpoint: ${(err as Error)?.message ?? String(err)}`);
      this.log(`Organizations.${operation} ${caller.accountId} ${error.status} ${error.errorName}`);
      sendError(res, error);
    }
  }
}
