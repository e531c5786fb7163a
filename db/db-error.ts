/** A database error with PostgreSQL's SQLSTATE `code`, the same from pg and from PGlite. */
export class DbError extends Error {
  code: string | undefined;
  detail: string | undefined;
  constraint: string | undefined;
  constructor(e: { message: string; code?: string | undefined; detail?: string | undefined; constraint?: string | undefined }) {
    super(e.message);
    this.name = 'DbError';
    this.code = e.code;
    this.detail = e.detail;
    this.constraint = e.constraint;
  }
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';
