/** What the rest of the product sees of the database: plain rows in, plain rows out. */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export type DbKind = 'embedded' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** True when the TimescaleDB extension is active (hypertables, continuous aggregates). */
  readonly timescale: boolean;
  /** Runs fn inside BEGIN/COMMIT on one connection; ROLLBACK if it throws. */
  withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls onNotify for every NOTIFY on channel (PostgreSQL: how instances sharing a database
   * hear of each other's changes). Also called after a reconnect, since notifications may
   * have been missed meanwhile. Undefined where one process owns the database (embedded).
   */
  listen?(channel: string, onNotify: (payload: string | undefined) => void): () => Promise<void>;
  /** Cheap round trip, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
