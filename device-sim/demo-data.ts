import type { DeviceKind } from '../contract/device-messages.ts';

/**
 * The demo care centre as plain data. Everything is derived from a fixed seed and the
 * resident's index, so a second run plans the very same names: that is what lets
 * provisioning find what it created before instead of duplicating it.
 */

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Gao', 'Lin', 'Luo', 'Zheng', 'Liang', 'Xie', 'Song', 'Tang', 'Han', 'Feng', 'Deng', 'Cao', 'Peng'];
// Given names typical of people born in the 1930s–1950s.
const ELDER_GIVEN = ['Xueying', 'Guiying', 'Xiuying', 'Yulan', 'Guizhen', 'Shulan', 'Fengying', 'Jianguo', 'Guoqiang', 'Jianhua', 'Deming', 'Baoshan', 'Yongfu', 'Shuzhen', 'Xiulan', 'Cuihua', 'Wenming', 'Fuqiang', 'Guifang', 'Zhenhua', 'Suying', 'Yuzhen', 'Dexiang', 'Shufen', 'Huimin', 'Changsheng', 'Meilan', 'Guohua'];
const YOUNGER_GIVEN = ['Na', 'Wei', 'Fang', 'Yang', 'Jing', 'Lei', 'Min', 'Jun', 'Tao', 'Yan', 'Hui', 'Qiang', 'Ping', 'Xin', 'Lin', 'Hao', 'Ying', 'Bo', 'Jie', 'Dan'];
const ROADS = ['Jianguo West Road', 'Hengshan Road', 'Tianping Road', 'Wukang Road', 'Anfu Road', 'Yongjia Road', 'Taiyuan Road', 'Gaoan Road'];
const NOTES = [
  'diabetic; key safe 4711',
  'hard of hearing, knock loudly; lives alone',
  'uses a walker; spare key with neighbour in 402',
  'pacemaker; daughter visits on Sundays',
  'early dementia, may wander at night; key safe 2580',
  'wheelchair user; lift often out of service, use stairwell B',
  'hypertension, takes warfarin; key safe 1937',
  'recent hip replacement; bedroom on the left',
  'COPD, oxygen concentrator in living room; no smoking',
  'partially sighted; small dog (friendly)',
  '',
];
const RELATIONS = ['son', 'daughter', 'niece', 'neighbour', 'nephew', 'daughter-in-law'];
const SENSOR_KINDS: DeviceKind[] = ['door_sensor', 'motion_sensor', 'bed_sensor', 'temperature_sensor', 'smoke_detector'];
const COMMUNITY_NAMES = ['Jianguo', 'Hengshan'];

export const DEMO_DISTRICT = 'Xuhui District';
export const DEMO_STREET = 'Tianping Street';
export const RESIDENTS_PER_GRID = 10;

export interface ContactSpec {
  name: string;
  phone: string;
  relation: string;
}
export interface ResidentSpec {
  index: number;
  name: string;
  gridIndex: number;
  address: string;
  phone: string;
  notes: string;
  contacts: ContactSpec[];
  devices: { id: string; kind: DeviceKind }[];
}
export interface CaregiverSpec {
  index: number;
  name: string;
  phone: string;
  role: 'caregiver' | 'supervisor';
  wearableId: string;
  gridIndexes: number[];
  communityIndexes: number[];
}
export interface CentrePlan {
  /** The simulator's id prefix: every device id of the plan starts with `${prefix}-`. */
  prefix: string;
  district: string;
  street: string;
  communities: string[];
  grids: { name: string; communityIndex: number }[];
  residents: ResidentSpec[];
  caregivers: CaregiverSpec[];
}

/** mulberry32: tiny, fast, deterministic PRNG; quality is ample for demo data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
const digits = (rnd: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
function shuffle<T>(rnd: () => number, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Every simulator owns the devices whose ids start with its prefix and no others, so two
 * simulators against one service (the demo's and `npm run sim`) never rotate each other's
 * secrets or move each other's devices.
 */
export const DEFAULT_SIM_PREFIX = 'sim';
export const DEMO_SIM_PREFIX = 'demo';
export const simPrefixSchemaPattern = /^[a-z][a-z0-9]{0,15}$/;

export const residentDeviceId = (index: number, kind: DeviceKind, prefix = DEFAULT_SIM_PREFIX) =>
  `${prefix}-r${pad(index + 1, 4)}-${kind.replace(/_(sensor|detector)$/, '').replace('_', '-')}`;
export const wearableDeviceId = (index: number, prefix = DEFAULT_SIM_PREFIX) => `${prefix}-w${pad(index + 1, 3)}`;

/** A small stable number from the prefix: each simulator's people get their own names. */
function prefixSeed(prefix: string): number {
  if (prefix === DEMO_SIM_PREFIX) return 0;
  let h = 7;
  for (const ch of prefix) h = (h * 31 + ch.charCodeAt(0)) % 9973;
  return 1 + h;
}

/** Unique names from the surname × given-name grid, walked in a seeded order. */
function nameSequence(seed: number, given: readonly string[]): (i: number) => string {
  const total = SURNAMES.length * given.length;
  const stride = 7919; // a prime not dividing total, so i ↦ i*stride mod total is a permutation
  const offset = Math.floor(seededRandom(seed)() * total);
  return (i) => {
    const k = (offset + (i % total) * stride) % total;
    const base = `${SURNAMES[k % SURNAMES.length]} ${given[Math.floor(k / SURNAMES.length)]}`;
    return i < total ? base : `${base} ${Math.floor(i / total) + 1}`;
  };
}

/**
 * The centre of one simulator. The demo's (prefix `demo`) lives in "Xuhui District"; any other
 * prefix gets a district of its own ("Xuhui District (sim)"), its own people and its own devices.
 */
export function planCentre(residentCount: number, caregiverCount?: number, prefix = DEFAULT_SIM_PREFIX): CentrePlan {
  const seed = prefixSeed(prefix);
  const gridCount = Math.max(1, Math.ceil(residentCount / RESIDENTS_PER_GRID));
  const communityCount = gridCount >= 4 ? 2 : 1;
  const communities = COMMUNITY_NAMES.slice(0, communityCount).map((n) => `${n} Community`);
  const perCommunity = Math.ceil(gridCount / communityCount);
  const grids = Array.from({ length: gridCount }, (_, g) => {
    const communityIndex = Math.floor(g / perCommunity);
    return { name: `${COMMUNITY_NAMES[communityIndex]} Grid ${(g % perCommunity) + 1}`, communityIndex };
  });

  const elderName = nameSequence(2024 + seed, ELDER_GIVEN);
  const residents = Array.from({ length: residentCount }, (_, i): ResidentSpec => {
    const rnd = seededRandom(1000 + i);
    const name = elderName(i);
    const surname = name.split(' ')[0] as string;
    const contacts = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => {
      const relation = pick(rnd, RELATIONS);
      const family = relation === 'son' || relation === 'daughter' || relation === 'nephew';
      return {
        name: `${family ? surname : pick(rnd, SURNAMES)} ${pick(rnd, YOUNGER_GIVEN)}`,
        phone: `+86 13${digits(rnd, 1)} ${digits(rnd, 4)} ${digits(rnd, 4)}`,
        relation,
      };
    });
    const sensors = shuffle(rnd, SENSOR_KINDS).slice(0, 1 + Math.floor(rnd() * 3));
    const kinds: DeviceKind[] = ['pendant', ...sensors];
    return {
      index: i,
      name,
      gridIndex: Math.floor(i / RESIDENTS_PER_GRID),
      address: `Building ${1 + Math.floor(rnd() * 12)}, Room ${1 + Math.floor(rnd() * 6)}0${1 + Math.floor(rnd() * 4)}, ${10 + Math.floor(rnd() * 190)} ${pick(rnd, ROADS)}, Shanghai`,
      phone: `+86 21 64${digits(rnd, 2)} ${digits(rnd, 4)}`,
      notes: pick(rnd, NOTES),
      contacts,
      devices: kinds.map((kind) => ({ id: residentDeviceId(i, kind, prefix), kind })),
    };
  });

  // One grid worker per grid plus a supervisor over the communities, unless told otherwise.
  const count = Math.max(1, caregiverCount ?? gridCount + 1);
  const workers = count > 1 ? count - 1 : 1;
  const staffName = nameSequence(77 + seed, YOUNGER_GIVEN);
  const caregivers = Array.from({ length: count }, (_, c): CaregiverSpec => {
    const rnd = seededRandom(5000 + c);
    const supervisor = count > 1 && c === count - 1;
    // Each grid has a primary worker (round-robin); each worker also backs up the next grid.
    const own = grids.map((_, g) => g).filter((g) => g % workers === c);
    const backup = gridCount > 1 && own.length > 0 ? [((own[0] as number) + 1) % gridCount] : [];
    return {
      index: c,
      name: staffName(c),
      phone: `+86 15${digits(rnd, 1)} ${digits(rnd, 4)} ${digits(rnd, 4)}`,
      role: supervisor ? 'supervisor' : 'caregiver',
      wearableId: wearableDeviceId(c, prefix),
      gridIndexes: supervisor ? [] : [...new Set([...own, ...backup])],
      communityIndexes: supervisor ? communities.map((_, k) => k) : [],
    };
  });
  const district = prefix === DEMO_SIM_PREFIX ? DEMO_DISTRICT : `${DEMO_DISTRICT} (${prefix})`;
  return { prefix, district, street: DEMO_STREET, communities, grids, residents, caregivers };
}
