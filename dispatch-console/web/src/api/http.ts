import { getSession, setSession } from './session.ts';

/** A refused or failed request; `message` is the server's `error` text when it sent one. */
export class ApiError extends Error {
  constructor(
    /** 0: the server could not be reached. */
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly details?: unknown,
    /** The finer stable reason (`bad_credentials`, `alarm_already_accepted`…) when the server gave one. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Login itself: a 401 means bad credentials, not an expired session. */
  anonymous?: boolean;
  signal?: AbortSignal;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = getSession()?.token;
  if (token && !opts.anonymous) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network');
  }
  if (res.ok) return res;
  const error = await errorOf(res);
  // any 401 on an authenticated call means the token is gone: back to the login form (unless
  // it was an earlier login's token, answered after someone has logged in again)
  if (res.status === 401 && !opts.anonymous && token && getSession()?.token === token) setSession(null, 'expired');
  throw error;
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: unknown; code?: unknown; reason?: unknown; details?: unknown };
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    if (typeof body.error === 'string') return new ApiError(res.status, body.error, str(body.code), body.details, str(body.reason));
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new ApiError(res.status, `HTTP ${res.status}`);
}

/** A JSON request; answers the parsed body (undefined for 204). */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A file download (CSV export): the body and the name the server suggests. */
export async function apiBlob(path: string): Promise<{ blob: Blob; filename: string | undefined }> {
  const res = await send(path, {});
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  return { blob: await res.blob(), filename: filename ? decodeURIComponent(filename) : undefined };
}
