/**
 * The AWS Organizations errors the local read surface answers with. Names and members follow botocore's
 * `organizations/2016-11-28/service-2.json`; the HTTP status codes are the Smithy model's `httpError` traits as
 * `@aws-sdk/client-organizations` carries them (botocore's JSON model has none).
 */

/** The HTTP status of each error name. */
export const ORGANIZATIONS_ERROR_STATUS = {
  AccessDeniedException: 403,
  AccountNotFoundException: 404,
  AWSOrganizationsNotInUseException: 404,
  ChildNotFoundException: 404,
  ConcurrentModificationException: 409,
  InvalidInputException: 400,
  OrganizationalUnitNotFoundException: 404,
  ParentNotFoundException: 404,
  ServiceException: 500,
  TooManyRequestsException: 429,
  // Protocol errors (not in the Organizations model; answered as AWS's JSON front end does).
  UnknownOperationException: 400,
  SerializationException: 400,
} as const;

export type OrganizationsErrorName = keyof typeof ORGANIZATIONS_ERROR_STATUS;

/** `InvalidInputExceptionReason` values this surface uses (the model's enum has many more). */
export type InvalidInputReason =
  | 'INPUT_REQUIRED'
  | 'INVALID_ENUM'
  | 'INVALID_NEXT_TOKEN'
  | 'INVALID_PATTERN'
  | 'MAX_LENGTH_EXCEEDED'
  | 'MIN_LENGTH_EXCEEDED'
  | 'MAX_VALUE_EXCEEDED'
  | 'MIN_VALUE_EXCEEDED';

export function isOrganizationsErrorName(name: unknown): name is OrganizationsErrorName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ORGANIZATIONS_ERROR_STATUS, name);
}

/** The wire body of an error: `__type`, the model's `Message` member, and `Reason` for InvalidInputException. */
export interface OrganizationsErrorBody {
  readonly __type: OrganizationsErrorName;
  readonly Message: string;
  readonly Reason?: InvalidInputReason;
}

/** An error answered as `{"__type": name, "Message": message[, "Reason": reason]}` with the model's status. */
export class OrganizationsError extends Error {
  public readonly errorName: OrganizationsErrorName;
  public readonly status: number;
  public readonly reason?: InvalidInputReason;

  constructor(errorName: OrganizationsErrorName, message: string, reason?: InvalidInputReason) {
    super(message);
    this.errorName = errorName;
    this.status = ORGANIZATIONS_ERROR_STATUS[errorName];
    this.reason = reason;
    this.name = errorName;
  }

  public toBody(): OrganizationsErrorBody {
    return this.reason === undefined
      ? { __type: this.errorName, Message: this.message }
      : { __type: this.errorName, Message: this.message, Reason: this.reason };
  }
}

export function invalidInput(reason: InvalidInputReason, message: string): OrganizationsError {
  return new OrganizationsError('InvalidInputException', message, reason);
}

/** What the service answers an account outside any organization (and every caller of an endpoint without one). */
export function notInUse(): OrganizationsError {
  return new OrganizationsError('AWSOrganizationsNotInUseException', "Your account isn't a member of an organization. To make this request, you must use the credentials of an account that belongs to an organization.");
}
