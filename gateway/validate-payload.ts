import type { z } from 'zod';
import {
  deviceEventSchema,
  deviceStatusSchema,
  eventTypeSchema,
  wearableAckSchema,
  type DeviceEvent,
  type DeviceStatus,
  type RejectCode,
  type WearableAck,
} from '../contract/device-messages.ts';

export type Validated<T> = { ok: true; value: T } | { ok: false; code: RejectCode; message: string; eventId?: string };

function parseJson(payload: Buffer, maxBytes: number): { ok: true; value: unknown } | { ok: false; code: RejectCode; message: string } {
  if (payload.length > maxBytes) {
    return { ok: false, code: 'payload_too_large', message: `payload is ${payload.length} bytes; the limit is ${maxBytes}` };
  }
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch (err) {
    return { ok: false, code: 'invalid_json', message: `payload is not JSON: ${(err as Error).message}` };
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export function validateEvent(payload: Buffer, maxBytes: number): Validated<DeviceEvent> {
  const json = parseJson(payload, maxBytes);
  if (!json.ok) return json;
  const parsed = deviceEventSchema.safeParse(json.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const raw = json.value as { id?: unknown; type?: unknown } | null;
  const eventId = typeof raw?.id === 'string' || typeof raw?.id === 'number' ? String(raw.id) : undefined;
  const unknownType = typeof raw?.type === 'string' && !eventTypeSchema.safeParse(raw.type).success;
  return {
    ok: false,
    code: unknownType ? 'unknown_type' : 'invalid_event',
    message: unknownType ? `unknown event type ${JSON.stringify(raw?.type)}` : describe(parsed.error),
    ...(eventId !== undefined && { eventId }),
  };
}

export function validateStatus(payload: Buffer, maxBytes: number): Validated<DeviceStatus> {
  const json = parseJson(payload, maxBytes);
  if (!json.ok) return json;
  const parsed = deviceStatusSchema.safeParse(json.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, code: 'invalid_status', message: describe(parsed.error) };
}

export function validateAck(payload: Buffer, maxBytes: number): Validated<WearableAck> {
  const json = parseJson(payload, maxBytes);
  if (!json.ok) return json;
  const parsed = wearableAckSchema.safeParse(json.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, code: 'invalid_ack', message: describe(parsed.error) };
}
