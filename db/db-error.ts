/** A database error with PostgreSQL's SQLSTATE `code`, the same from pg and from PGlite. */
export class DbError extends Error {
  code: string | undefined;
  declare detail: string | undefined;
  constraint: string | undefined;
  constructor(e: { message: string; code?: string | undefined; detail?: string | undefined; constraint?: string | undefined }) {
    super(e.message);
    this.name = 'DbError';
    this.code = e.code;
    // PostgreSQL's detail can quote the failing row ("Failing row contains (…)": a resident's
    // notes, a reply code, a secret's hash) or a key's value. Readable here, but not enumerable,
    // so a logged `{ err }` (pino's error serializer copies enumerable fields) leaves it out.
    Object.defineProperty(this, 'detail', { value: e.detail, enumerable: false, writable: true, configurable: true });
    this.constraint = e.constraint;
  }
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';
