import { Annotations, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  ACCEPTANCE_RESOURCE_TYPE,
  AcceptanceProperty,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  MAX_WAIT_TIMEOUT_SECONDS,
  PAIRS_PER_RESOURCE,
  SweepRequest,
  connectionIdAttribute,
} from './acceptor-contract';
import { AcceptorProvider } from './acceptor-provider';
import { encodePair, OrganizationalUnitEntry, organizationalUnitEntryProblem } from './allow-list';
import { HandlerOptions } from '../hardening/handler-options';
import { EnvironmentNaming } from '../organization/environment-naming';
import { organizationalUnitIdProblem } from '../organization/naming-rule';
import { registerOrganizationTrust } from '../organization/organization-consistency';
import { hasBrand, markBrand } from '../shared/brand';
import { omitDefaultDeletionPolicies } from '../shared/custom-resource-options';
import { endOfSupportSwitch } from '../shared/end-of-support-switch';
import { checkNotOwnAccount } from '../shared/own-account';
import { checkAccountId, checkEnvironmentName, invalidProp, wholeSeconds } from '../shared/validation';
import { registerAcceptor } from '../shared/waiting-order';

/** One (environment account, environment name) pair whose connection request is accepted. */
export interface ExpectedConnection {
  /** The environment account that files the request. */
  readonly environmentAccountId: string;
  /** The name of this (management) account's environment that the connection serves. */
  readonly environmentName: string;
  /**
   * Wait at deploy for this request, and fail the deploy when it does not arrive in time. Turn it
   * off when the environment stack deploys after this one and waits for its acceptance: then
   * continuous acceptance (required) accepts the request when it is filed, and `connectionId()`
   * cannot give its id.
   * @default true
   */
  readonly waitAtDeploy?: boolean;
}

/** Keep accepting requests filed after deployment (re-filed, replaced), without a redeploy. */
export interface ContinuousAcceptanceOptions {
  /**
   * How often to look for allow-listed PENDING requests.
   * @default Schedule.rate(Duration.minutes(15))
   */
  readonly schedule?: events.Schedule;

  /**
   * Also look as soon as Proton reports a connection status change (EventBridge, best-effort).
   * @default true
   */
  readonly onProtonEvents?: boolean;

  /**
   * Reject PENDING requests that are not on the allow-list when sweeping. Rejection is
   * irreversible, and any other acceptor of this management account sees its requests rejected
   * too. Adds a synth warning.
   * @default false
   */
  readonly rejectUnlisted?: boolean;
}

/** Properties of an `EnvironmentAccountConnectionAcceptor`. */
export interface EnvironmentAccountConnectionAcceptorProps {
  /**
   * The requests to accept: one per (environment account, environment name). More can be added
   * with `addExpectedConnection()`.
   * @default - none
   */
  readonly expectedConnections?: ExpectedConnection[];

  /**
   * Environment accounts whose requests are accepted for any environment name. Account-wide
   * entries are accepted when found; deployment does not wait for them. More can be added with
   * `addTrustedAccount()`.
   * @default - none
   */
  readonly trustedAccounts?: string[];

  /**
   * Organizational units whose accounts are accepted by OU membership: each ACTIVE account of
   * these OU trees (nested OUs included), for exactly the environment name the naming rule gives
   * it. Accounts join and leave over time, so this needs `continuousAcceptance`; requests are
   * accepted by its sweep, and the handler reads the organization (see `OrganizationReadAccess`).
   * More can be added with `addTrustedOrganizationalUnits()`.
   * @default - none
   */
  readonly trustedOrganizationalUnits?: TrustedOrganizationalUnits[];

  /**
   * How long a deployment waits for each expected request to arrive (at most 14 minutes).
   * `Duration.seconds(0)` checks once.
   * @default Duration.minutes(10)
   */
  readonly waitTimeout?: Duration;

  /**
   * Keep accepting allow-listed requests after deployment, on a schedule and on Proton events.
   * @default - accept only while deploying
   */
  readonly continuousAcceptance?: ContinuousAcceptanceOptions;

  /**
   * Hardening of the stack's shared acceptor handler (VPC, encrypted log group, reserved
   * concurrency). Every acceptor of a stack must give the same options, or none.
   * @default - no hardening, unless a `HandlerOptionsInjection` property injector supplies it
   */
  readonly handlerOptions?: HandlerOptions;
}

/** Organizational units whose ACTIVE accounts are accepted, each for the one name a rule gives it. */
export interface TrustedOrganizationalUnits {
  /**
   * Organizational unit ids (`ou-…`) or the root id (`r-…`) of the organization. Accounts in
   * nested OUs are included; accounts outside them never are.
   */
  readonly organizationalUnitIds: string[];
  /** The rule that names each account's environment: the same the environment side uses. */
  readonly environmentNaming: EnvironmentNaming;
}

/** One custom resource's share of the allow-list (and, in continuous mode, its stored copy). */
interface Chunk {
  readonly resource: CustomResource;
  /** Pairs waited for at deploy (their ids are attributes). */
  readonly pairs: string[];
  /** Pairs accepted when found, not waited for. */
  readonly listedPairs: string[];
  readonly accounts: string[];
  /** The OU trust entries stored with this chunk (the first chunk's; the others hold none). */
  readonly organizationalUnits: OrganizationalUnitEntry[];
}

/** An SSM standard parameter holds 4 KB; keep room for JSON overhead. */
const MAX_CHUNK_CHARS = 3_800;

/**
 * Accepts, in the management account, exactly the expected AWS Proton environment account
 * connection requests. At deploy it waits (bounded) for each expected request and accepts it, so
 * both deploy orders work; optionally it keeps accepting later requests for the same pairs.
 * It never rejects unless told to, and removing it rejects and deletes nothing.
 *
 * @see https://docs.aws.amazon.com/proton/latest/userguide/ag-env-account-connections.html
 */
export class EnvironmentAccountConnectionAcceptor extends Construct {
  /**
   * Whether `x` is an `EnvironmentAccountConnectionAcceptor` (also when the app loads more than one copy of this library).
   * @param x any value
   */
  public static isEnvironmentAccountConnectionAcceptor(x: unknown): x is EnvironmentAccountConnectionAcceptor {
    return hasBrand(x, ACCEPTOR_BRAND);
  }

  /** SSM parameter path of the stored allow-list (continuous acceptance only). */
  public readonly allowListParameterPath?: string;
  /** Whether this acceptor keeps accepting allow-listed requests after deployment. */
  public readonly continuousAcceptance: boolean;
  private readonly provider: AcceptorProvider;
  private readonly chunks: Chunk[] = [];
  /**
   * Every expected pair: who added it (a construct path, named when it is added again) and, for
   * pairs waited for at deploy, their place (listed pairs have none).
   */
  private readonly expected = new Map<string, { addedBy: string; position?: { chunk: Chunk; index: number } }>();
  private readonly accounts = new Set<string>();
  /** Trusted OU entries; stored with the first chunk of the allow-list. */
  private readonly organizationalUnits: OrganizationalUnitEntry[] = [];
  private readonly waitTimeoutSeconds: number;
  private readonly endOfSupport: boolean;

  constructor(scope: Construct, id: string, props: EnvironmentAccountConnectionAcceptorProps = {}) {
    super(scope, id);
    markBrand(this, ACCEPTOR_BRAND);
    this.provider = AcceptorProvider.of(this, props.handlerOptions);
    this.waitTimeoutSeconds = waitTimeoutSeconds(this, props.waitTimeout);
    this.continuousAcceptance = props.continuousAcceptance !== undefined;
    this.endOfSupport = endOfSupportSwitch(this);
    if (this.continuousAcceptance) {
      this.allowListParameterPath = `/cdk-proton-account-connections/acceptor-${this.node.addr}`;
      this.enableContinuousAcceptance(props.continuousAcceptance!);
    }
    this.newChunk();
    (props.trustedAccounts ?? []).forEach((account) => this.addTrustedAccount(account));
    (props.expectedConnections ?? []).forEach((connection) => this.addExpectedConnection(connection));
    (props.trustedOrganizationalUnits ?? []).forEach((trust) => this.addTrustedOrganizationalUnits(trust));
    const stack = Stack.of(this);
    registerAcceptor(this, {
      path: this.node.path,
      stack,
      continuous: this.continuousAcceptance,
      listing: (account, name) => {
        const pair = encodePair(account, name);
        const entry = this.expected.get(pair);
        if (entry) return entry.position ? 'awaited' : 'listed';
        return this.accounts.has(account) ? 'account-wide' : undefined;
      },
    });
    this.node.addValidation({
      validate: () => (this.expected.size + this.accounts.size + this.organizationalUnits.length === 0
        ? [`${this.node.path}: expects no connection: give expectedConnections, trustedAccounts or trustedOrganizationalUnits, or call addExpectedConnection()`]
        : []),
    });
  }

  /**
   * Accepts the request the environment account files for the named environment.
   * @param connection the environment account, the environment name, and whether deployment waits for the request
   */
  public addExpectedConnection(connection: ExpectedConnection): void {
    this._addExpectedConnection(connection, { path: this.node.path, prefix: 'expectedConnections.' });
  }

  /**
   * `addExpectedConnection` for a construct that adds on a user's behalf: errors name `by.path`
   * and its props (`by.prefix` before each field name).
   * @internal
   */
  public _addExpectedConnection(connection: ExpectedConnection, by: { readonly path: string; readonly prefix: string }): void {
    const { environmentAccountId, environmentName } = connection;
    checkAccountId(by.path, `${by.prefix}environmentAccountId`, environmentAccountId);
    checkEnvironmentName(by.path, `${by.prefix}environmentName`, environmentName);
    checkNotOwnAccount(this, `${by.prefix}environmentAccountId`, environmentAccountId, 'the management account accepts requests of other (environment) accounts');
    const pair = encodePair(environmentAccountId, environmentName);
    const earlier = this.expected.get(pair);
    if (earlier !== undefined) {
      invalidProp(by.path, `${by.prefix}environmentName`, environmentName,
        `the connection of account ${environmentAccountId} for this environment is already expected by ${this.node.path} (added by ${earlier.addedBy}): one request per environment`);
    }
    const awaited = connection.waitAtDeploy ?? true;
    const path = this.node.path;
    if (!awaited && !this.continuousAcceptance) {
      invalidProp(path, 'waitAtDeploy', false, `needs continuousAcceptance: without it nothing accepts the request of ${pair} when it is filed after this stack deploys`);
    }
    let chunk = this.chunks[this.chunks.length - 1];
    const full = (awaited && chunk.pairs.length >= PAIRS_PER_RESOURCE) || chunkChars(chunk, pair) > MAX_CHUNK_CHARS;
    if (full) chunk = this.newChunk();
    if (awaited) {
      chunk.pairs.push(pair);
      this.expected.set(pair, { addedBy: by.path, position: { chunk, index: chunk.pairs.length - 1 } });
    } else {
      chunk.listedPairs.push(pair);
      this.expected.set(pair, { addedBy: by.path });
    }
    this.provider.allowAcceptFrom(environmentAccountId);
  }

  /**
   * Accepts requests from an environment account for any environment name.
   * @param environmentAccountId the environment account (12 digits), not this stack's own
   */
  public addTrustedAccount(environmentAccountId: string): void {
    checkAccountId(this.node.path, 'trustedAccounts', environmentAccountId);
    checkNotOwnAccount(this, 'trustedAccounts', environmentAccountId, 'the management account accepts requests of other (environment) accounts');
    if (this.accounts.has(environmentAccountId)) return;
    const first = this.chunks[0];
    first.accounts.push(environmentAccountId);
    if (chunkChars(first, '') > MAX_CHUNK_CHARS) {
      invalidProp(this.node.path, 'trustedAccounts', environmentAccountId, 'too many account-wide entries for one acceptor (about 250 fit)');
    }
    this.accounts.add(environmentAccountId);
    this.provider.allowAcceptFrom(environmentAccountId);
  }

  /**
   * Accepts requests from the ACTIVE accounts of organizational units (nested OUs included), each
   * for exactly the environment name `trust.environmentNaming` gives it. Needs `continuousAcceptance`.
   * @param trust the OU (or root) ids and the naming rule
   */
  public addTrustedOrganizationalUnits(trust: TrustedOrganizationalUnits): void {
    const prop = 'trustedOrganizationalUnits';
    if (!this.continuousAcceptance) {
      invalidProp(this.node.path, prop, trust.organizationalUnitIds,
        'needs continuousAcceptance: accounts join an OU over time, and only the continuous sweep accepts their requests when they are filed');
    }
    const ids = trust.organizationalUnitIds;
    if (!Array.isArray(ids) || ids.length === 0) invalidProp(this.node.path, `${prop}.organizationalUnitIds`, ids, 'must name at least one OU or root id');
    for (const id of ids) {
      if (Token.isUnresolved(id)) invalidProp(this.node.path, `${prop}.organizationalUnitIds`, id, 'must be a literal: the stored allow-list is read at run time');
      const problem = organizationalUnitIdProblem(id);
      if (problem) invalidProp(this.node.path, `${prop}.organizationalUnitIds`, id, problem);
    }
    if (!trust.environmentNaming || typeof trust.environmentNaming.prefix !== 'string') {
      invalidProp(this.node.path, `${prop}.environmentNaming`, trust.environmentNaming, 'must come from EnvironmentNaming.accountIdWithPrefix()');
    }
    const entry = { ids: [...new Set(ids)], prefix: trust.environmentNaming.prefix };
    const problem = organizationalUnitEntryProblem(entry);
    if (problem) invalidProp(this.node.path, prop, entry, problem);
    if (this.organizationalUnits.length === 0) {
      registerOrganizationTrust(this, { path: this.node.path, stack: Stack.of(this), entries: this.organizationalUnits });
    }
    this.organizationalUnits.push(entry);
    if (chunkChars(this.chunks[0], '') > MAX_CHUNK_CHARS) {
      invalidProp(this.node.path, prop, ids, 'too many organizational units for one acceptor (the stored allow-list holds about 4 KB)');
    }
    this.provider.allowReadOrganization();
    this.provider.allowAcceptFromAnyAccount('Accounts of the trusted organizational units are known only at run time, by enumerating the OU trees; the handler accepts only ACTIVE accounts of those trees, each for the one name the naming rule gives it.');
  }

  /**
   * The id of the accepted connection for a pair given to this acceptor (a token, resolved at deployment).
   * @param environmentAccountId the pair's environment account
   * @param environmentName the pair's environment name
   */
  public connectionId(environmentAccountId: string, environmentName: string): string {
    const pair = encodePair(environmentAccountId, environmentName);
    const entry = this.expected.get(pair);
    if (!entry) invalidProp(this.node.path, 'connectionId', pair, 'is not an expected connection of this acceptor');
    const position = entry.position;
    if (!position) {
      invalidProp(this.node.path, 'connectionId', pair, 'is accepted when filed (waitAtDeploy: false), after this stack deploys: its id is not known to this stack');
    }
    return position.chunk.resource.getAttString(connectionIdAttribute(position.index));
  }

  private newChunk(): Chunk {
    const index = this.chunks.length;
    const pairs: string[] = [];
    const listedPairs: string[] = [];
    const accounts: string[] = [];
    const resource = new CustomResource(this, index === 0 ? 'Acceptance' : `Acceptance${index}`, {
      serviceToken: this.provider.handler.functionArn,
      resourceType: ACCEPTANCE_RESOURCE_TYPE,
      properties: {
        [AcceptanceProperty.pairs]: Lazy.list({ produce: () => pairs }, { omitEmpty: true }),
        [AcceptanceProperty.listedPairs]: Lazy.list({ produce: () => listedPairs }, { omitEmpty: true }),
        [AcceptanceProperty.accounts]: Lazy.list({ produce: () => accounts }, { omitEmpty: true }),
        [AcceptanceProperty.waitTimeoutSeconds]: this.waitTimeoutSeconds === DEFAULT_WAIT_TIMEOUT_SECONDS ? undefined : this.waitTimeoutSeconds,
        [AcceptanceProperty.endOfSupport]: this.endOfSupport ? true : undefined,
        [AcceptanceProperty.trustsOrganizationalUnits]: index === 0
          ? Lazy.any({ produce: () => (this.organizationalUnits.length > 0 ? true : undefined) })
          : undefined,
      },
    });
    omitDefaultDeletionPolicies(resource);
    const chunk = { resource, pairs, listedPairs, accounts, organizationalUnits: index === 0 ? this.organizationalUnits : [] };
    this.chunks.push(chunk);
    if (this.allowListParameterPath) {
      new ssm.StringParameter(this, `AllowList${index}`, {
        parameterName: `${this.allowListParameterPath}/${index}`,
        description: `Allow-list of ${this.node.path} (part ${index}), read by its continuous acceptance`,
        stringValue: Lazy.string({ produce: () => storedChunk(chunk, chunk.organizationalUnits) }),
      });
    }
    return chunk;
  }

  private enableContinuousAcceptance(options: ContinuousAcceptanceOptions): void {
    const rejectUnlisted = options.rejectUnlisted ?? false;
    if (this.endOfSupport) {
      // AWS Proton is gone: no schedule or event rule invokes the sweep any more.
      return;
    }
    const request: SweepRequest = { sweep: { allowListPath: this.allowListParameterPath!, rejectUnlisted } };
    const target = new targets.LambdaFunction(this.provider.handler, { event: events.RuleTargetInput.fromObject(request), retryAttempts: 2 });
    new events.Rule(this, 'Schedule', {
      description: `Accepts allow-listed AWS Proton connection requests for ${this.node.path}`,
      schedule: options.schedule ?? events.Schedule.rate(Duration.minutes(15)),
      targets: [target],
    });
    if (options.onProtonEvents ?? true) {
      new events.Rule(this, 'OnProtonEvents', {
        description: `Accepts allow-listed AWS Proton connection requests for ${this.node.path} when they are filed`,
        eventPattern: {
          source: ['aws.proton'],
          detailType: ['AWS Proton Environment Account Connection Status Change'],
          detail: { status: ['PENDING'] },
        },
        targets: [target],
      });
    }
    this.provider.allowReadAllowList(this.allowListParameterPath!);
    if (rejectUnlisted) {
      this.provider.allowRejectAny();
      Annotations.of(this).addWarningV2(
        'cdk-proton-account-connections:reject-unlisted',
        'rejectUnlisted is on: every PENDING request to this management account that this acceptor does not list is REJECTED, irreversibly, including requests meant for other acceptors or stacks.',
      );
    }
  }
}

/** Marks instances for `isEnvironmentAccountConnectionAcceptor()`, whichever copy of the library made them. */
const ACCEPTOR_BRAND = Symbol.for('cdk-proton-account-connections.EnvironmentAccountConnectionAcceptor');

/** The stored copy of a chunk: both kinds of pairs, the account-wide entries and (first chunk) the OU trust. */
function storedChunk(chunk: Chunk, organizationalUnits: OrganizationalUnitEntry[], extraPair = ''): string {
  const pairs = [...chunk.pairs, ...chunk.listedPairs, ...(extraPair ? [extraPair] : [])];
  return JSON.stringify({ pairs, accounts: chunk.accounts, ...(organizationalUnits.length > 0 ? { organizationalUnits } : {}) });
}

/** The stored copy's length with one more pair. */
function chunkChars(chunk: Chunk, extraPair: string): number {
  return storedChunk(chunk, chunk.organizationalUnits, extraPair).length;
}

function waitTimeoutSeconds(scope: Construct, timeout: Duration | undefined): number {
  if (timeout === undefined) return DEFAULT_WAIT_TIMEOUT_SECONDS;
  return wholeSeconds(scope.node.path, 'waitTimeout', timeout, 0, MAX_WAIT_TIMEOUT_SECONDS,
    'must be whole seconds from 0 to 14 minutes (a Lambda function runs at most 15 minutes)');
}
