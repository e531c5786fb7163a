import type { DeviceIdentity } from '../contract/received.ts';
import { parseTopic } from '../contract/topics.ts';

export type { DeviceIdentity };

export type PublishTarget = { scope: 'devices'; id: string; kind: 'events' | 'status' } | { scope: 'wearables'; id: string; kind: 'acks' };

/**
 * A device publishes only its own events and status; a wearable also its own acks.
 * Returns the parsed topic when allowed, undefined otherwise. Pure.
 */
export function authorisePublishTopic(who: DeviceIdentity, topic: string): PublishTarget | undefined {
  const t = parseTopic(topic);
  if (!t || t.id !== who.deviceId) return undefined;
  if (t.scope === 'devices' && (t.kind === 'events' || t.kind === 'status')) return t as PublishTarget;
  if (t.scope === 'wearables' && t.kind === 'acks' && who.kind === 'wearable') return t as PublishTarget;
  return undefined;
}

/**
 * A device subscribes only to its own commands; a wearable also to its own alerts.
 * Wildcards are refused outright: a filter must name exactly one allowed topic.
 */
export function authoriseSubscribeFilter(who: DeviceIdentity, filter: string): boolean {
  if (filter.includes('+') || filter.includes('#') || filter.startsWith('$')) return false;
  const t = parseTopic(filter);
  if (!t || t.id !== who.deviceId) return false;
  if (t.scope === 'devices') return t.kind === 'commands';
  return t.kind === 'alerts' && who.kind === 'wearable';
}
