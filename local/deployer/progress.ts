/**
 * CloudFormation-like progress lines: `<Stack> | <STATUS> | <Type> | <LogicalId>[ | <detail>]`.
 */

/** A structured progress event (also rendered as a line). */
export interface DeployEvent {
  readonly stack: string;
  /** `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `CREATE_FAILED`, `UPDATE_*`, `DELETE_*`, `DELETE_SKIPPED`, `*ROLLBACK*`, ... */
  readonly status: string;
  readonly resourceType: string;
  readonly logicalId: string;
  readonly physicalId?: string;
  /** Failure reason, or a note. */
  readonly reason?: string;
  /** Data returned by a custom resource (already masked when NoEcho). */
  readonly data?: Record<string, unknown>;
}

export const STACK_TYPE = 'AWS::CloudFormation::Stack';

export class Progress {
  constructor(
    private readonly log: (line: string) => void,
    private readonly onEvent?: (event: DeployEvent) => void,
  ) {}

  /** Reports a resource or stack event. */
  event(event: DeployEvent): void {
    this.onEvent?.(event);
    let line = `${event.stack} | ${event.status} | ${event.resourceType} | ${event.logicalId}`;
    if (event.reason) line += ` | ${event.reason}`;
    if (event.data && Object.keys(event.data).length > 0) line += ` | ${formatData(event.data)}`;
    this.log(line);
  }

  /** Reports a stack-level status. */
  stack(stack: string, status: string, reason?: string): void {
    this.event({ stack, status, resourceType: STACK_TYPE, logicalId: stack, reason });
  }

  /** A line of output from a handler process. */
  handlerOutput(stack: string, logicalId: string, line: string): void {
    this.log(`${stack} | ${logicalId} | ${line}`);
  }

  /** A warning or note about a stack or resource. */
  note(stack: string, message: string): void {
    this.log(`${stack} | ${message}`);
  }
}

/** `Key=value Key2=value2`; objects are printed as JSON. */
export function formatData(data: Record<string, unknown>): string {
  return Object.entries(data).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

/** Masks every value of `data` (for NoEcho responses). */
export function maskData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(data).map(k => [k, '*****']));
}
