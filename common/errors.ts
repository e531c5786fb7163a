/**
 * The few error classes of the product. Each carries a stable `code`; HTTP status mapping
 * happens only in the console's error handler, MQTT mapping only in the gateway.
 */
// The closed sets live in the contract (the web page translates by them).
import type { ErrorCode, ErrorReason } from '../contract/errors.ts';
export type { ErrorCode, ErrorReason } from '../contract/errors.ts';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly reason?: ErrorReason,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown, reason?: ErrorReason) {
    super('validation_failed', message, details, reason);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'authentication required', reason: ErrorReason = 'auth_required') {
    super('unauthorized', message, undefined, reason);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'not allowed for your role', reason?: ErrorReason) {
    super('forbidden', message, undefined, reason);
  }
}
export class NotFoundError extends AppError {
  constructor(what: string, id?: string, reason?: ErrorReason) {
    super('not_found', id === undefined ? `${what} not found` : `${what} ${id} not found`, undefined, reason);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: unknown, reason?: ErrorReason) {
    super('conflict', message, details, reason);
  }
}
