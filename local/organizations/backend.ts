/**
 * The state behind the local Organizations surface: the organization (or none), its startup form, the change log,
 * the call counter and the fault injector. Shared by the HTTP handler (service.ts) and the admin API (admin.ts).
 */
import { OrganizationSnapshot } from './document';
import { OrganizationChangeLog } from './events';
import { OrganizationsFaultInjector, OrganizationsFaultOptions, validateOrganizationsFaultOptions } from './faults';
import { Organization } from './organization';
import { CallCounter } from '../proton-endpoint/call-counts';

export class OrganizationsBackend {
  public readonly counter = new CallCounter();
  public readonly injector: OrganizationsFaultInjector;
  public readonly changes: OrganizationChangeLog;
  private current: Organization | undefined;
  private readonly startup: OrganizationSnapshot | undefined;
  private readonly startupFaults: OrganizationsFaultOptions;

  /**
   * @param document the organization to serve (validated here: OrganizationDocumentError names each bad field);
   *   undefined: every call answers AWSOrganizationsNotInUseException
   */
  constructor(document: unknown | undefined, faults: OrganizationsFaultOptions = {}) {
    validateOrganizationsFaultOptions(faults);
    this.startupFaults = { ...faults };
    this.injector = new OrganizationsFaultInjector(this.startupFaults);
    // Normalized once: reset() restores exactly this (default timestamps included).
    this.startup = document === undefined ? undefined : new Organization(document).snapshot();
    this.changes = new OrganizationChangeLog(() => ({
      managementAccountId: this.current?.managementAccountId ?? '000000000000',
      organizationId: this.current?.id ?? 'o-0000000000',
    }));
    this.current = this.startup === undefined ? undefined : new Organization(this.startup);
  }

  /** The organization being served, if any. */
  public get organization(): Organization | undefined {
    return this.current;
  }

  /** Serves `document` from now on (until `reset()`, which restores the startup one); undefined: none. Clears the change log. */
  public load(document: unknown | undefined): void {
    this.current = document === undefined ? undefined : new Organization(document);
    this.changes.clear();
  }

  /** Restores the startup organization and fault options; clears changes, counts and scripted faults. */
  public reset(): void {
    this.current = this.startup === undefined ? undefined : new Organization(this.startup);
    this.changes.clear();
    this.counter.reset();
    this.injector.reset(this.startupFaults);
  }
}
