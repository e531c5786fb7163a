/** MQTT topic layout of DESIGN.md — the single place that spells topics. */
export const TOPIC_ROOT = 'homecare';

export type DeviceTopicKind = 'events' | 'status' | 'commands';
export type WearableTopicKind = 'alerts' | 'acks';

export const topics = {
  deviceEvents: (deviceId: string) => `${TOPIC_ROOT}/devices/${deviceId}/events`,
  deviceStatus: (deviceId: string) => `${TOPIC_ROOT}/devices/${deviceId}/status`,
  deviceCommands: (deviceId: string) => `${TOPIC_ROOT}/devices/${deviceId}/commands`,
  wearableAlerts: (wearableId: string) => `${TOPIC_ROOT}/wearables/${wearableId}/alerts`,
  wearableAcks: (wearableId: string) => `${TOPIC_ROOT}/wearables/${wearableId}/acks`,
} as const;

export type ParsedTopic =
  | { scope: 'devices'; id: string; kind: DeviceTopicKind }
  | { scope: 'wearables'; id: string; kind: WearableTopicKind };

const DEVICE_KINDS = new Set<string>(['events', 'status', 'commands']);
const WEARABLE_KINDS = new Set<string>(['alerts', 'acks']);

/** Parses `homecare/{devices|wearables}/{id}/{kind}`; anything else is undefined. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT) return undefined;
  const [, scope, id, kind] = parts as [string, string, string, string];
  if (id === '' || id.includes('+') || id.includes('#')) return undefined;
  if (scope === 'devices' && DEVICE_KINDS.has(kind)) return { scope, id, kind: kind as DeviceTopicKind };
  if (scope === 'wearables' && WEARABLE_KINDS.has(kind)) return { scope, id, kind: kind as WearableTopicKind };
  return undefined;
}
