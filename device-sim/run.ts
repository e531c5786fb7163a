import type { Logger } from '../common/logger.ts';
import { eventCountSchema, serviceInfoSchema, type ServiceInfo } from '../contract/service-info.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { DEFAULT_SIM_PREFIX } from './demo-data.ts';
import { provisionCentre } from './provision.ts';
import { runTraffic, type TrafficStats } from './traffic.ts';
import { SimError } from './types.ts';

export interface SimulationOptions {
  httpUrl: string;
  username: string;
  password: string;
  residents: number;
  caregivers?: number | undefined;
  prefix?: string | undefined;
  statePath: string;
  /** Default: the address the service itself reports (GET /api/service). */
  mqttUrl?: string | undefined;
  rate: number;
  durationSeconds?: number | undefined;
  maxMessages?: number | undefined;
  pressProbability: number;
  connectsPerSecond?: number | undefined;
  summaryEverySeconds?: number | undefined;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

export interface SimulationResult {
  stats: TrafficStats;
  /** Where the traffic went. */
  mqttUrl: string;
  /** Where the service says its devices connect. */
  serviceMqttUrl: string;
  /** Events of our devices the service stored during the run, by its own count. */
  stored: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * The broker address to use: the service's own report, with its host swapped for the API's
 * when the service only knows itself as 127.0.0.1 but we reach it by another name.
 */
export function deviceMqttUrl(info: ServiceInfo, httpUrl: string): string {
  const mqtt = new URL(info.mqttUrl);
  const api = new URL(httpUrl);
  if (info.embeddedBroker && LOOPBACK.has(mqtt.hostname) && !LOOPBACK.has(api.hostname)) mqtt.hostname = api.hostname;
  return mqtt.toString().replace(/\/$/, '');
}

async function serviceInfo(api: ApiClient, httpUrl: string): Promise<ServiceInfo> {
  let body: unknown;
  try {
    body = await api.get('/api/service');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      throw new SimError(`the service at ${httpUrl} does not report its MQTT address (GET /api/service); pass --mqtt`);
    }
    throw err;
  }
  const parsed = serviceInfoSchema.safeParse(body);
  if (!parsed.success) throw new SimError(`GET /api/service at ${httpUrl} answered an unexpected shape`);
  return parsed.data;
}

/**
 * One simulator run against a running service: provision (or find) this simulator's own
 * centre, send traffic to the service's real broker, then ask the service how many of the
 * events it stored, so "acknowledged" is never a foreign broker's word alone.
 */
export async function runSimulation(o: SimulationOptions): Promise<SimulationResult> {
  const { logger } = o;
  const api = new ApiClient(o.httpUrl);
  await api.login(o.username, o.password);
  const info = await serviceInfo(api, o.httpUrl);
  const serviceMqttUrl = deviceMqttUrl(info, o.httpUrl);
  const mqttUrl = o.mqttUrl ?? serviceMqttUrl;
  if (o.mqttUrl && new URL(o.mqttUrl).toString() !== new URL(serviceMqttUrl).toString()) {
    logger.warn({ given: o.mqttUrl, service: serviceMqttUrl }, 'the service says its devices connect elsewhere than --mqtt');
  }
  const fleet = await provisionCentre({
    httpUrl: o.httpUrl,
    username: o.username,
    password: o.password,
    residents: o.residents,
    caregivers: o.caregivers,
    prefix: o.prefix ?? DEFAULT_SIM_PREFIX,
    statePath: o.statePath,
    logger,
  });
  const traffic = runTraffic({
    mqttUrl,
    devices: fleet.devices,
    wearables: fleet.wearables,
    ratePerSecond: o.rate,
    durationSeconds: o.durationSeconds,
    maxMessages: o.maxMessages,
    buttonPressProbability: o.pressProbability,
    connectsPerSecond: o.connectsPerSecond,
    renewSecret: fleet.renewSecret,
    logger,
    signal: o.signal,
  });
  logger.info({ devices: fleet.devices.length, wearables: fleet.wearables.length, mqtt: mqttUrl, rate: o.rate }, 'traffic started');
  const every = o.summaryEverySeconds ?? 0;
  const timer = every > 0 ? setInterval(() => logger.info(traffic.stats(), 'summary'), every * 1000) : undefined;
  await traffic.done;
  if (timer) clearInterval(timer);

  // PUBACK from our broker means stored; the service's own count proves it was our broker
  const ours = new Set([...fleet.devices, ...fleet.wearables].map((d) => d.id));
  const counts = await api.list(`/api/events/counts?from=${encodeURIComponent(info.now)}`);
  let stored = 0;
  for (const c of counts) {
    const row = eventCountSchema.safeParse(c);
    if (row.success && ours.has(row.data.deviceId)) stored += row.data.events;
  }
  return { stats: traffic.stats(), mqttUrl, serviceMqttUrl, stored };
}
