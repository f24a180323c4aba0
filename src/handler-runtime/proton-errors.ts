/** The errors AWS Proton's service model declares for the connection operations. */
export const PROTON_ERROR_NAMES = [
  'ConflictException',
  'ResourceNotFoundException',
  'ValidationException',
  'AccessDeniedException',
  'ServiceQuotaExceededException',
  'ThrottlingException',
  'InternalServerException',
] as const;

/** Proton error names this library reacts to. Errors are matched by name, never by HTTP status. */
export type ProtonErrorName = typeof PROTON_ERROR_NAMES[number];

/** Whether `error` is the named Proton error. */
export function isProtonError(error: unknown, name: ProtonErrorName): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/** A one-line description of an SDK error for a CloudFormation failure reason. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
