/**
 * The few error classes of the product. Each carries a stable `code`; HTTP status mapping
 * happens only in the console's error handler, MQTT mapping only in the gateway.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, details);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'authentication required') {
    super('unauthorized', message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'not allowed for your role') {
    super('forbidden', message);
  }
}
export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super('not_found', id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}
