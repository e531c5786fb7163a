import { SimError } from './types.ts';

/** An HTTP answer outside 2xx, with the API's `{error, details}` body when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly error: string,
    readonly details?: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${error}${details === undefined ? '' : ` ${JSON.stringify(details)}`}`);
    this.name = 'ApiError';
  }
}

export type Json = Record<string, unknown>;

// The contract spells fields in camelCase; converting snake_case too costs nothing and keeps
// the simulator working if a row leaks through unmapped.
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(key in out)) out[key] = v;
  }
  return out;
}

/** Minimal client of the dispatch-console API: login once, then JSON in and out. */
export class ApiClient {
  private token: string | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async login(username: string, password: string): Promise<void> {
    let body: unknown;
    try {
      body = await this.request('POST', '/api/login', { username, password });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 400)) {
        throw new SimError(`login as "${username}" failed at ${this.baseUrl}: ${err.error} (HTTP ${err.status})`, err);
      }
      throw err;
    }
    const token = (body as Json | null)?.token;
    if (typeof token !== 'string' || token === '') {
      throw new SimError(`login at ${this.baseUrl} answered without a token`);
    }
    this.token = token;
  }

  get<T = Json>(path: string): Promise<T> {
    return this.request('GET', path) as Promise<T>;
  }

  post<T = Json>(path: string, body: unknown = {}): Promise<T> {
    return this.request('POST', path, body) as Promise<T>;
  }

  patch<T = Json>(path: string, body: unknown): Promise<T> {
    return this.request('PATCH', path, body) as Promise<T>;
  }

  /** A list GET; the contract answers a JSON array, `{items}` is tolerated for paging later. */
  async list(path: string): Promise<Json[]> {
    const body = await this.get<unknown>(path);
    const items = Array.isArray(body) ? body : (body as Json | null)?.items;
    if (!Array.isArray(items)) throw new SimError(`GET ${path} did not answer a list`);
    return items as Json[];
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SimError(`cannot reach the API at ${this.baseUrl}: ${describeFetchError(err)}`, err);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const errBody = (parsed ?? {}) as Json;
      const error = typeof errBody.error === 'string' ? errBody.error : text.slice(0, 200) || res.statusText;
      throw new ApiError(res.status, method, path, error, errBody.details);
    }
    return camelKeys(parsed);
  }
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer (timed out)';
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
