// (stub; being written) openDb(options, logger) → Db with migrations applied
import type { Logger } from '../common/logger.ts';
import type { Db } from './types.ts';
export type { Db, Queryable, Row, QueryResult } from './types.ts';
export interface DbOptions { url: string | undefined; dataDir: string }
export declare function openDb(options: DbOptions, logger: Logger): Promise<Db>;
