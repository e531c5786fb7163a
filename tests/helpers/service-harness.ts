import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { startService, type RunningService } from '../../runtime/service.ts';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

/** The whole service in this process, on free ports, with the given database settings. */
export async function startTestService(env: Record<string, string>): Promise<RunningService> {
  const config = loadConfig({
    MQTT_PORT: '0',
    MQTT_WS_PORT: '0',
    HTTP_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  return startService(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
}

/** District → street → community → grid, and a resident in the grid with a family contact. */
export async function provisionHome(post: (path: string, body: unknown) => Promise<any>) {
  const district = await post('/api/areas', { name: 'Xicheng', kind: 'district', parentId: null });
  const street = await post('/api/areas', { name: 'Financial St', kind: 'street', parentId: district.id });
  const community = await post('/api/areas', { name: 'Jade Garden', kind: 'community', parentId: street.id });
  const grid = await post('/api/areas', { name: 'Grid 1', kind: 'grid', parentId: community.id });
  const resident = await post('/api/residents', {
    name: 'Huang Xueying',
    areaId: grid.id,
    address: '12 Jade Lane',
    phone: '+8613800000000',
    notes: 'diabetic; key safe 4711',
    contacts: [{ name: 'Huang Wei', phone: '+8613900000009', relation: 'son' }],
  });
  return { district, street, community, grid, resident };
}

/** A tiny JSON client for the console API over a real socket. */
export function apiClient(baseUrl: string) {
  let token: string | undefined;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  const post = async (path: string, body: unknown) => {
    const r = await call('POST', path, body);
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    call,
    post,
    login: async (username = ADMIN.username, password = ADMIN.password) => {
      const r = await call('POST', '/api/login', { username, password });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
      token = r.body.token;
    },
    /** Area tree down to a grid, a resident there, and a device for them. */
    provisionDevice: async (kind = 'pendant') => {
      const { resident } = await provisionHome(post);
      const device = await post('/api/devices', { kind, residentId: resident.id });
      return { resident, device: device as { id: string; secret: string } };
    },
  };
}
