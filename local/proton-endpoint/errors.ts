/**
 * AWS Proton's modeled errors plus the protocol-level errors the endpoint answers before an
 * operation is reached. The HTTP status codes are the Smithy model's `httpError` traits (as
 * `@aws-sdk/client-proton` carries them); botocore's JSON model has none.
 */

/** The HTTP status of each error name the endpoint can answer with. */
export const ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServerException: 500,
  // Protocol errors (not in the Proton model; answered like AWS's JSON front end does).
  UnknownOperationException: 400,
  SerializationException: 400,
} as const;

export type ProtonErrorName = keyof typeof ERROR_STATUS;

/** The error names modeled for the environment-account-connection operations. */
export const MODELED_ERROR_NAMES: readonly ProtonErrorName[] = [
  'ValidationException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'ConflictException',
  'ServiceQuotaExceededException',
  'ThrottlingException',
  'InternalServerException',
];

export function isProtonErrorName(name: unknown): name is ProtonErrorName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, name);
}

/** An error answered on the wire as `{"__type": name, "message": message}` with the model's status. */
export class ProtonError extends Error {
  public readonly errorName: ProtonErrorName;
  public readonly status: number;

  constructor(errorName: ProtonErrorName, message: string) {
    super(message);
    this.errorName = errorName;
    this.status = ERROR_STATUS[errorName];
    this.name = errorName;
  }

  /** The JSON body AWS sends for this error. */
  public toBody(): { __type: string; message: string } {
    return { __type: this.errorName, message: this.message };
  }
}

export function validationError(field: string, problem: string): ProtonError {
  return new ProtonError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${problem}`);
}

export function accessDenied(message: string): ProtonError {
  return new ProtonError('AccessDeniedException', message);
}

export function notFound(message: string): ProtonError {
  return new ProtonError('ResourceNotFoundException', message);
}

export function conflict(message: string): ProtonError {
  return new ProtonError('ConflictException', message);
}
