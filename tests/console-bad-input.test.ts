import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbError } from '../db/db-error.ts';
import { toHttpError } from '../dispatch-console/console/error-handler.ts';
import { startConsole, type ConsoleHarness } from './helpers/console-app.ts';
import { apiClient, type ApiClient } from './helpers/api-client.ts';
import { dbKinds } from './helpers/test-db.ts';

/**
 * "Bad input always gets a clear error and never loses or corrupts anything": hostile requests
 * against the console API, each with the 4xx and the message a person would read.
 */

type Who = 'admin' | 'operator' | 'caregiver' | 'anonymous' | 'garbage';

interface Case {
  name: string;
  /** default admin */
  as?: Who;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `{grid}`, `{resident}`, … are replaced by the fixture ids (in `json` too) */
  url: string;
  /** serialised with JSON.stringify, so '\u0000' and lone surrogates travel as JSON escapes */
  json?: unknown;
  /** sent byte for byte */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  error: RegExp;
}

const MISSING = '00000000-0000-4000-8000-000000000000';
const shift = (start: unknown, end: unknown) => ({ caregiverId: '{caregiver}', start, end });

const cases: Case[] = [
  // body format
  { name: 'malformed JSON', method: 'POST', url: '/api/areas', raw: '{"name": "x",', status: 400, error: /malformed JSON/ },
  { name: 'text/plain body', method: 'POST', url: '/api/areas', raw: 'name=x', headers: { 'content-type': 'text/plain' }, status: 415, error: /send application\/json/ },
  { name: 'form-encoded body', method: 'POST', url: '/api/areas', raw: 'name=x&kind=district', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, error: /send application\/json/ },
  { name: 'empty JSON body', method: 'POST', url: '/api/areas', raw: '', status: 400, error: /empty JSON body/ },
  { name: 'PATCH without any body', method: 'PATCH', url: '/api/areas/{grid}', raw: '', headers: { 'content-type': '' }, status: 400, error: /^invalid body/ },
  { name: 'array instead of object', method: 'POST', url: '/api/areas', json: [{ name: 'x', kind: 'district' }], status: 400, error: /expected object, received array/ },
  { name: 'JSON null', method: 'POST', url: '/api/areas', json: null, status: 400, error: /expected object, received null/ },
  { name: 'bare JSON string', method: 'POST', url: '/api/areas', json: 'district', status: 400, error: /expected object, received string/ },
  { name: '__proto__ key', method: 'POST', url: '/api/areas', raw: '{"name":"x","kind":"district","__proto__":{"admin":true}}', status: 400, error: /JSON/ },
  { name: '1 MB name', method: 'POST', url: '/api/areas', json: { name: 'x'.repeat(1_000_000), kind: 'district' }, status: 413, error: /too large/ },
  { name: '201-character name', method: 'POST', url: '/api/areas', json: { name: 'x'.repeat(201), kind: 'district' }, status: 400, error: /name: .*200/ },
  { name: 'bytes that are not UTF-8', method: 'POST', url: '/api/areas', raw: Buffer.from('{"name":"\xff\xfe","kind":"district"}', 'latin1'), status: 400, error: /not valid UTF-8/ },
  { name: 'number for a string', method: 'POST', url: '/api/areas', json: { name: 42, kind: 'district' }, status: 400, error: /name: .*expected string, received number/ },
  { name: 'blank name', method: 'POST', url: '/api/areas', json: { name: '  \t ', kind: 'district' }, status: 400, error: /name: must not be empty/ },
  { name: 'unknown field', method: 'POST', url: '/api/areas', json: { name: 'x', kind: 'district', colour: 'red' }, status: 400, error: /Unrecognized key: "colour"/ },
  { name: 'unknown enum value', method: 'POST', url: '/api/areas', json: { name: 'x', kind: 'county' }, status: 400, error: /kind: .*district/ },

  // text PostgreSQL cannot keep as sent: NUL fails the statement, a lone surrogate becomes U+FFFD
  { name: 'NUL in an area name', method: 'POST', url: '/api/areas', json: { name: 'a\u0000b', kind: 'district' }, status: 400, error: /name: must not contain NUL/ },
  { name: 'lone surrogate in an area name', method: 'POST', url: '/api/areas', json: { name: 'a\ud800b', kind: 'district' }, status: 400, error: /name: must not contain .*surrogate/ },
  { name: 'NUL in an area rename', method: 'PATCH', url: '/api/areas/{grid}', json: { name: 'a\u0000' }, status: 400, error: /name: must not contain NUL/ },
  { name: 'NUL in resident notes', method: 'POST', url: '/api/residents', json: { name: 'R', areaId: '{grid}', notes: 'key safe\u00004711' }, status: 400, error: /notes: must not contain NUL/ },
  { name: 'NUL in a contact (jsonb)', method: 'POST', url: '/api/residents', json: { name: 'R', areaId: '{grid}', contacts: [{ name: 'S\u0000n', phone: '+86 138 0000' }] }, status: 400, error: /contacts\.0\.name: must not contain NUL/ },
  { name: 'NUL in a resident address patch', method: 'PATCH', url: '/api/residents/{resident}', json: { address: 'x\u0000' }, status: 400, error: /address: must not contain NUL/ },
  { name: 'NUL in a caregiver name', method: 'POST', url: '/api/caregivers', json: { name: 'C\u0000', areaIds: ['{grid}'] }, status: 400, error: /name: must not contain NUL/ },
  { name: 'NUL in a login username', as: 'anonymous', method: 'POST', url: '/api/login', json: { username: 'root\u0000', password: 'x' }, status: 400, error: /username: must not contain NUL/ },

  // ids and query strings
  { name: 'id that is not a UUID', method: 'GET', url: '/api/areas/not-a-uuid', status: 400, error: /id: must be a UUID/ },
  { name: 'path traversal as an id', method: 'GET', url: '/api/areas/..%2F..%2Fetc%2Fpasswd', status: 400, error: /id: must be a UUID/ },
  { name: 'SQL as an id', method: 'DELETE', url: "/api/residents/1'%20OR%20'1'='1", status: 400, error: /id: must be a UUID/ },
  { name: 'bad %-encoding in the path', method: 'GET', url: '/api/areas/%E0%A4%A', status: 400, error: /malformed URL/ },
  { name: 'area id read as a resident', method: 'GET', url: '/api/residents/{grid}', status: 404, error: /resident .* not found/ },
  { name: 'caregiver id as a resident area', method: 'POST', url: '/api/residents', json: { name: 'R', areaId: '{caregiver}' }, status: 400, error: /area .* does not exist/ },
  { name: 'resident placed in a district', method: 'POST', url: '/api/residents', json: { name: 'R', areaId: '{district}' }, status: 400, error: /belong to a grid/ },
  { name: 'area id as a shift caregiver', method: 'POST', url: '/api/shifts', json: { ...shift('2030-01-01T08:00:00Z', '2030-01-01T16:00:00Z'), caregiverId: '{grid}' }, status: 400, error: /caregiver .* does not exist/ },
  { name: 'query filter that is not a UUID', method: 'GET', url: '/api/areas?parentId=xyz', status: 400, error: /parentId: must be a UUID/ },
  { name: 'misspelt query filter', method: 'GET', url: '/api/residents?areaid={grid}', status: 400, error: /Unrecognized key: "areaid"/ },
  { name: 'area id list with a non-UUID', method: 'PATCH', url: '/api/caregivers/{caregiver}', json: { areaIds: ['{grid}', 'nope'] }, status: 400, error: /areaIds\.1: must be a UUID/ },
  { name: 'caregiver with one missing area', method: 'POST', url: '/api/caregivers', json: { name: 'Half Written', areaIds: ['{grid}', MISSING] }, status: 400, error: /no such area/ },

  // device ids are MQTT usernames and topic levels
  ...['a/b', 'a+b', 'a#b', 'a b', '$SYS', '-x', 'd'.repeat(65)].map(
    (id): Case => ({ name: `device id ${JSON.stringify(id.slice(0, 8))}`, method: 'POST', url: '/api/devices', json: { id, kind: 'pendant' }, status: 400, error: /^invalid body: id: / }),
  ),
  { name: 'device id with a slash in the path', method: 'GET', url: '/api/devices/a%2Fb', status: 400, error: /id: letters, digits/ },
  { name: 'MQTT wildcard as a device path id', method: 'DELETE', url: '/api/devices/%23', status: 400, error: /id: letters, digits/ },
  { name: 'very long device path id', method: 'GET', url: `/api/devices/${'d'.repeat(500)}`, status: 414, error: /too long/ },
  { name: 'wearable id with a topic wildcard', method: 'POST', url: '/api/caregivers', json: { name: 'C', wearableId: 'w+1' }, status: 400, error: /wearableId: letters, digits/ },
  { name: 'pendant as a wearable', method: 'POST', url: '/api/caregivers', json: { name: 'C', wearableId: '{pendant}' }, status: 400, error: /is a pendant, not a wearable/ },
  { name: 'duplicate device id', method: 'POST', url: '/api/devices', json: { id: '{pendant}', kind: 'pendant' }, status: 409, error: /already exists/ },
  { name: 'wearable given to a resident', method: 'POST', url: '/api/devices', json: { kind: 'wearable', residentId: '{resident}' }, status: 400, error: /wearable belongs to a caregiver/ },

  // dates
  { name: 'shift start as epoch millis', method: 'POST', url: '/api/shifts', json: shift(1893484800000, '2030-01-01T16:00:00Z'), status: 400, error: /start: must be an ISO 8601/ },
  { name: 'shift start "tomorrow"', method: 'POST', url: '/api/shifts', json: shift('tomorrow', '2030-01-01T16:00:00Z'), status: 400, error: /start: must be an ISO 8601/ },
  { name: 'February 30th', method: 'POST', url: '/api/shifts', json: shift('2030-02-30T08:00:00Z', '2030-03-01T06:00:00Z'), status: 400, error: /start: must be an ISO 8601/ },
  { name: 'date without a time', method: 'POST', url: '/api/shifts', json: shift('2030-01-01', '2030-01-02'), status: 400, error: /start: must be an ISO 8601/ },
  { name: 'offset +25:00', method: 'POST', url: '/api/shifts', json: shift('2030-01-01T08:00:00+25:00', '2030-01-01T16:00:00Z'), status: 400, error: /start: must be an ISO 8601/ },
  { name: 'year 0000', method: 'POST', url: '/api/shifts', json: shift('0000-01-01T08:00:00Z', '0000-01-01T09:00:00Z'), status: 400, error: /start: must be between 1970/ },
  { name: 'year 1 shifted into year 0 by its offset', method: 'POST', url: '/api/shifts', json: shift('0001-01-01T00:00:00+08:00', '0001-01-01T04:00:00+08:00'), status: 400, error: /start: must be between 1970/ },
  { name: 'shift ending before it starts', method: 'POST', url: '/api/shifts', json: shift('2030-01-01T16:00:00Z', '2030-01-01T08:00:00Z'), status: 400, error: /end: end must be after start/ },
  { name: 'zero-length shift', method: 'POST', url: '/api/shifts', json: shift('2030-01-01T08:00:00Z', '2030-01-01T08:00:00Z'), status: 400, error: /end must be after start/ },
  { name: '25-hour shift', method: 'POST', url: '/api/shifts', json: shift('2030-01-01T08:00:00Z', '2030-01-02T09:00:00Z'), status: 400, error: /at most 24 hours/ },
  { name: 'list window ending before it starts', method: 'GET', url: '/api/shifts?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', status: 400, error: /from must be before to/ },
  { name: 'list at a garbage instant', method: 'GET', url: '/api/shifts?at=now', status: 400, error: /at: must be an ISO 8601/ },

  // PATCH
  { name: 'PATCH with an empty object', method: 'PATCH', url: '/api/areas/{grid}', json: {}, status: 400, error: /nothing to change: send at least one of name, kind, parentId/ },
  { name: 'empty device PATCH', method: 'PATCH', url: '/api/devices/{pendant}', json: {}, status: 400, error: /nothing to change/ },
  { name: 'PATCH with an unknown field', method: 'PATCH', url: '/api/caregivers/{caregiver}', json: { wat: 1 }, status: 400, error: /Unrecognized key: "wat"/ },
  { name: 'PATCH renaming a device id', method: 'PATCH', url: '/api/devices/{pendant}', json: { id: 'other' }, status: 400, error: /Unrecognized key: "id"/ },
  { name: 'null for a required name', method: 'PATCH', url: '/api/areas/{grid}', json: { name: null }, status: 400, error: /name: .*received null/ },
  { name: 'null for a resident area', method: 'PATCH', url: '/api/residents/{resident}', json: { areaId: null }, status: 400, error: /areaId: must be a UUID/ },
  { name: 'null for caregiver areas', method: 'PATCH', url: '/api/caregivers/{caregiver}', json: { areaIds: null }, status: 400, error: /areaIds: .*received null/ },
  { name: 'area that would be its own parent', method: 'PATCH', url: '/api/areas/{grid}', json: { parentId: '{grid}' }, status: 400, error: /must be inside a community/ },
  { name: 'PATCH of a missing area', method: 'PATCH', url: `/api/areas/${MISSING}`, json: { name: 'x' }, status: 404, error: /area .* not found/ },

  // deleting what is still referenced
  { name: 'deleting an area with sub-areas', method: 'DELETE', url: '/api/areas/{district}', status: 409, error: /still contains 1 sub-area/ },
  { name: 'deleting a grid with a resident', method: 'DELETE', url: '/api/areas/{grid}', status: 409, error: /1 resident/ },
  { name: 'un-wearabling a worn wearable', method: 'PATCH', url: '/api/devices/{wearable}', json: { kind: 'pendant' }, status: 409, error: /is the wearable of caregiver/ },
  { name: 'deleting a missing shift', method: 'DELETE', url: `/api/shifts/${MISSING}`, status: 404, error: /shift .* not found/ },

  // logins and roles
  { name: 'duplicate username', method: 'POST', url: '/api/users', json: { username: 'op-audit', password: 'Password-one-1', role: 'operator' }, status: 409, error: /username op-audit is already taken/ },
  { name: 'duplicate username with spaces', method: 'POST', url: '/api/users', json: { username: ' op-audit ', password: 'Password-one-1', role: 'operator' }, status: 409, error: /already taken/ },
  { name: 'username with a slash', method: 'POST', url: '/api/users', json: { username: 'a/b', password: 'Password-one-1', role: 'operator' }, status: 400, error: /username: letters, digits/ },
  { name: 'unknown role', method: 'POST', url: '/api/users', json: { username: 'x1', password: 'Password-one-1', role: 'root' }, status: 400, error: /role: / },
  { name: 'caregiver login without a caregiver', method: 'POST', url: '/api/users', json: { username: 'x2', password: 'Password-one-1', role: 'caregiver' }, status: 400, error: /needs caregiverId/ },
  { name: 'caregiver login for an area id', method: 'POST', url: '/api/users', json: { username: 'x3', password: 'Password-one-1', role: 'caregiver', caregiverId: '{grid}' }, status: 400, error: /caregiver .* does not exist/ },
  { name: 'operator creating an admin', as: 'operator', method: 'POST', url: '/api/users', json: { username: 'evil', password: 'Password-one-1', role: 'admin' }, status: 403, error: /needs the role admin/ },
  { name: 'operator rotating a device secret', as: 'operator', method: 'POST', url: '/api/devices/{pendant}/secret', status: 403, error: /needs the role admin/ },
  { name: 'caregiver reading another caregiver', as: 'caregiver', method: 'GET', url: '/api/caregivers/{otherCaregiver}', status: 403, error: /only read their own/ },
  { name: 'caregiver listing caregivers', as: 'caregiver', method: 'GET', url: '/api/caregivers', status: 403, error: /needs the role admin or operator/ },
  { name: 'caregiver reading residents', as: 'caregiver', method: 'GET', url: '/api/residents/{resident}', status: 403, error: /needs the role admin or operator/ },
  { name: 'caregiver promoting themself', as: 'caregiver', method: 'PATCH', url: '/api/caregivers/{caregiver}', json: { role: 'supervisor' }, status: 403, error: /needs the role/ },
  { name: 'caregiver creating an admin', as: 'caregiver', method: 'POST', url: '/api/users', json: { username: 'evil', password: 'Password-one-1', role: 'admin' }, status: 403, error: /needs the role admin/ },
  { name: 'garbage token', as: 'garbage', method: 'GET', url: '/api/areas', status: 401, error: /invalid or expired token/ },
  { name: 'no token', as: 'anonymous', method: 'GET', url: '/api/areas', status: 401, error: /authentication required/ },
  { name: 'Basic instead of Bearer', as: 'anonymous', method: 'GET', url: '/api/areas', headers: { authorization: 'Basic cm9vdDpyb290' }, status: 401, error: /Bearer/ },
  { name: '10 kB token', as: 'anonymous', method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${'x'.repeat(10_000)}` }, status: 401, error: /invalid or expired token/ },
  { name: 'anonymous garbage body', as: 'anonymous', method: 'POST', url: '/api/areas', raw: '{{{', status: 401, error: /authentication required/ },
];

/** Rows per table: hostile requests must leave every one of them as it was. */
async function tableCounts(h: ConsoleHarness): Promise<Record<string, unknown>> {
  const r = await h.db.query<Record<string, unknown>>(
    `SELECT (SELECT count(*)::int FROM areas) AS areas, (SELECT count(*)::int FROM residents) AS residents,
            (SELECT count(*)::int FROM devices) AS devices, (SELECT count(*)::int FROM caregivers) AS caregivers,
            (SELECT count(*)::int FROM caregiver_areas) AS caregiver_areas, (SELECT count(*)::int FROM shifts) AS shifts,
            (SELECT count(*)::int FROM users) AS users, (SELECT max(updated_at)::text FROM areas) AS areas_changed`,
  );
  return r.rows[0]!;
}

describe.each(dbKinds)('console API refuses hostile input (%s database)', (kind) => {
  let h: ConsoleHarness;
  let api: ApiClient;
  const ids: Record<string, string> = {};
  const tokens: Partial<Record<Who, string>> = { garbage: 'not-a-real-token' };
  let before: Record<string, unknown>;

  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, key: string) => ids[key] ?? m);

  beforeAll(async () => {
    h = await startConsole(kind);
    api = apiClient(h.app, h.adminToken);
    tokens.admin = h.adminToken;
    const made = async (url: string, body: unknown) => {
      const res = await api.post(url, body);
      if (res.status !== 201) throw new Error(`fixture ${url}: ${res.status} ${res.text}`);
      return res.body.id as string;
    };
    ids.district = await made('/api/areas', { name: 'Huangpu', kind: 'district' });
    ids.street = await made('/api/areas', { name: 'Nanjing Rd', kind: 'street', parentId: ids.district });
    ids.community = await made('/api/areas', { name: 'Plum Garden', kind: 'community', parentId: ids.street });
    ids.grid = await made('/api/areas', { name: 'Grid 7', kind: 'grid', parentId: ids.community });
    ids.resident = await made('/api/residents', { name: 'Huang Xueying', areaId: ids.grid });
    ids.pendant = await made('/api/devices', { id: 'pendant-1', kind: 'pendant', residentId: ids.resident });
    ids.wearable = await made('/api/devices', { id: 'wrist-1', kind: 'wearable' });
    ids.caregiver = await made('/api/caregivers', { name: 'Li Na', wearableId: ids.wearable, areaIds: [ids.grid] });
    ids.otherCaregiver = await made('/api/caregivers', { name: 'Wang Wei', areaIds: [ids.grid] });
    await made('/api/users', { username: 'op-audit', password: 'Password-one-1', role: 'operator' });
    await made('/api/users', { username: 'cg-audit', password: 'Password-one-1', role: 'caregiver', caregiverId: ids.caregiver });
    tokens.operator = await apiClient(h.app).login('op-audit', 'Password-one-1');
    tokens.caregiver = await apiClient(h.app).login('cg-audit', 'Password-one-1');
    before = await tableCounts(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(cases)('$name → $status', async (c) => {
    const who = c.as ?? 'admin';
    const headers: Record<string, string> = {};
    const token = tokens[who];
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | Buffer | undefined;
    if (c.raw !== undefined) {
      payload = c.raw;
      headers['content-type'] = 'application/json';
    } else if (c.json !== undefined) {
      payload = fill(JSON.stringify(c.json));
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, c.headers);
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];

    const res = await h.app.inject({ method: c.method, url: fill(c.url), headers, ...(payload === undefined ? {} : { payload }) });

    expect(res.statusCode, res.body).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { error: unknown; code: unknown };
    expect(typeof body.error).toBe('string');
    expect(body.error).toMatch(c.error);
    expect(typeof body.code).toBe('string');
    // a message for a person: no stack frames, no SQL, no echo of a megabyte of input
    expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|SQLSTATE|syntax error at/);
    expect(res.body.length).toBeLessThan(4000);
  });

  it('left every table as it was: nothing created, changed or half-written', async () => {
    expect(await tableCounts(h)).toEqual(before);
    const caregivers = await api.get('/api/caregivers');
    expect(caregivers.body.map((c: { name: string }) => c.name).sort()).toEqual(['Li Na', 'Wang Wei']);
    const grid = await api.get(`/api/areas/${ids.grid}`);
    expect(grid.body).toMatchObject({ name: 'Grid 7', kind: 'grid', parentId: ids.community });
    expect((await api.get(`/api/devices/${ids.wearable}`)).body.kind).toBe('wearable');
  });

  it('stores SQL-looking, emoji and CJK text exactly as sent', async () => {
    for (const name of ["Robert'); DROP TABLE areas;--", '👵🏻 Grandma Ōshima 黄雪英', 'line\nbreak\ttab "quoted" \\ back']) {
      const created = await api.post('/api/areas', { name, kind: 'district' });
      expect(created.status).toBe(201);
      expect((await api.get(`/api/areas/${created.body.id}`)).body.name).toBe(name);
    }
    expect((await api.get('/api/areas?kind=grid')).body).toHaveLength(1);
  });

  it('accepts an empty body with Content-Type: application/json where a route takes none', async () => {
    const victim = await api.post('/api/areas', { name: 'Temp', kind: 'district' });
    const res = await h.app.inject({
      method: 'DELETE',
      url: `/api/areas/${victim.body.id}`,
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(204);
  });

  it('lets exactly one of concurrent duplicate creates win; the rest get 409', async () => {
    const statuses = async (requests: Promise<{ status: number; body: { error?: string } }>[]) => {
      const all = await Promise.all(requests);
      return { won: all.filter((r) => r.status === 201).length, lost: all.filter((r) => r.status === 409).map((r) => r.body.error) };
    };
    const devices = await statuses(Array.from({ length: 5 }, () => api.post('/api/devices', { id: 'race-1', kind: 'pendant' })));
    expect(devices.won).toBe(1);
    expect(devices.lost).toEqual(Array(4).fill('device race-1 already exists'));

    const users = await statuses(Array.from({ length: 3 }, () => api.post('/api/users', { username: 'race', password: 'Password-one-1', role: 'operator' })));
    expect(users.won).toBe(1);
    expect(users.lost).toEqual(Array(2).fill('username race is already taken'));

    await api.post('/api/devices', { id: 'race-wrist', kind: 'wearable' });
    const wearers = await statuses(Array.from({ length: 4 }, (_, i) => api.post('/api/caregivers', { name: `Racer ${i}`, wearableId: 'race-wrist', areaIds: [ids.grid] })));
    expect(wearers.won).toBe(1);
    expect(wearers.lost).toHaveLength(3);
    for (const e of wearers.lost) expect(e).toMatch(/already assigned to another caregiver/);
    // the losers left no caregiver and no area assignment behind
    const racers = (await api.get('/api/caregivers')).body.filter((c: { name: string }) => c.name.startsWith('Racer'));
    expect(racers).toHaveLength(1);

    const shifts = await statuses(
      Array.from({ length: 4 }, (_, i) => api.post('/api/shifts', { caregiverId: ids.otherCaregiver, start: `2031-01-01T0${i}:00:00Z`, end: `2031-01-01T1${i}:00:00Z` })),
    );
    expect(shifts.won).toBe(1);
    for (const e of shifts.lost) expect(e).toMatch(/overlaps/);
  });

  it('refuses the token of a deleted login, and of a login whose caregiver was deleted', async () => {
    const user = await api.post('/api/users', { username: 'short-lived', password: 'Password-one-1', role: 'operator' });
    const token = await apiClient(h.app).login('short-lived', 'Password-one-1');
    expect((await apiClient(h.app, token).get('/api/me')).status).toBe(200);
    expect((await api.del(`/api/users/${user.body.id}`)).status).toBe(204);
    const gone = await apiClient(h.app, token).get('/api/me');
    expect(gone.status).toBe(401);
    expect(gone.body.error).toMatch(/invalid or expired token/);

    const cg = await api.post('/api/caregivers', { name: 'Leaving Soon' });
    await api.post('/api/users', { username: 'leaving', password: 'Password-one-1', role: 'caregiver', caregiverId: cg.body.id });
    const cgToken = await apiClient(h.app).login('leaving', 'Password-one-1');
    expect((await api.del(`/api/caregivers/${cg.body.id}`)).status).toBe(204);
    expect((await apiClient(h.app, cgToken).get(`/api/caregivers/${cg.body.id}`)).status).toBe(401);
  });

  it('answers a request the HTTP parser refuses with the same JSON shape', async () => {
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      // a control character inside a header value
      socket.write('GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\x01b\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'malformed HTTP request', code: 'bad_request' });
  });
});

describe('database data exceptions', () => {
  it.each([
    ['22021', /NUL/],
    ['22P05', /NUL/],
    ['22008', /date or time is out of range/],
    ['22003', /number is out of range/],
    ['22023', /value is not valid/],
  ])('SQLSTATE %s that got past the edge is a 400, not a 500', (code, error) => {
    const http = toHttpError(new DbError({ message: 'invalid byte sequence for encoding "UTF8": 0x00', code }));
    expect(http.status).toBe(400);
    expect(http.body.error).toMatch(error);
    expect(http.body.error).not.toMatch(/UTF8|0x00/);
  });

  it('still hides other database failures behind 500', () => {
    expect(toHttpError(new DbError({ message: 'relation "x" does not exist', code: '42P01' })).status).toBe(500);
  });
});
