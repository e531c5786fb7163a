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

/**
 * A finer, stable reason beside the coarse `code`, where the code alone does not say what
 * went wrong (a 401 for a wrong password vs an expired session, a 409 for "someone else
 * accepted it" vs "it is closed"). Programs and the web page translate by these; the English
 * `error` text is for people reading logs and curl output. Add values, never rename them.
 */
export type ErrorReason =
  | 'bad_credentials'
  | 'auth_required'
  | 'session_expired'
  | 'role_required'
  | 'not_caregiver_login'
  | 'operators_only'
  | 'reassign_target_missing'
  | 'caregiver_not_found'
  | 'note_missing'
  | 'alarm_closed'
  | 'alarm_already_accepted'
  | 'alarm_not_yours'
  | 'alarm_not_open'
  | 'alarm_not_allowed'
  | 'alarm_not_found';

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
