import type { FastifyInstance } from 'fastify';

/** The first admin every test service and console is started with. */
export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

export interface ApiResponse {
  status: number;
  // test code reads arbitrary fields of the answer
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  headers: Record<string, unknown>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/**
 * The one JSON client the tests use for the console API: over a real socket (a base URL) or
 * through `app.inject()` (a Fastify app), with a bearer token once logged in.
 */
export function apiClient(target: string | FastifyInstance, token?: string) {
  let bearer = token;
  const call = async (method: Method | string, path: string, body?: unknown): Promise<ApiResponse> => {
    const auth: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
    if (typeof target === 'string') {
      const res = await fetch(`${target}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...auth },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const json = text !== '' && (res.headers.get('content-type') ?? '').includes('json');
      return { status: res.status, body: json ? JSON.parse(text) : text, text, headers: Object.fromEntries(res.headers) };
    }
    const res = await target.inject({ method: method as Method, url: path, headers: auth, ...(body === undefined ? {} : { payload: body as object }) });
    const text = res.body;
    const json = text !== '' && String(res.headers['content-type'] ?? '').includes('json');
    return { status: res.statusCode, body: json ? JSON.parse(text) : text, text, headers: res.headers };
  };
  const login = async (username = ADMIN.username, password = ADMIN.password): Promise<string> => {
    const r = await call('POST', '/api/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
    bearer = r.body.token as string;
    return bearer;
  };
  return {
    call,
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    del: (path: string) => call('DELETE', path),
    /** POST that must answer 201: returns the created resource, throws otherwise. */
    create: async (path: string, body: unknown) => {
      const r = await call('POST', path, body);
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
      return r.body;
    },
    login,
    get token() {
      return bearer;
    },
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
