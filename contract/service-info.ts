import { z } from 'zod';

/**
 * `GET /api/service`: where devices connect to this service, and its clock. The simulator asks
 * this instead of assuming mqtt://127.0.0.1:1883 (the demo moves off a taken port).
 */
export const serviceInfoSchema = z.object({
  /** `mqtt://host:port` of the embedded broker, or the external broker's URL without credentials. */
  mqttUrl: z.string(),
  /** MQTT over WebSocket, or null with an external broker. */
  mqttWsUrl: z.string().nullable(),
  /** true: the embedded broker (a PUBACK means the event is stored); false: `MQTT_URL`. */
  embeddedBroker: z.boolean(),
  /** The service's clock, for windows such as `GET /api/events/counts?from=`. */
  now: z.iso.datetime(),
  /** The service's time zone (TZ): rotas, shifts, reports by day and the care rules' local times are in it. */
  timeZone: z.string(),
});
export type ServiceInfo = z.infer<typeof serviceInfoSchema>;

/** `GET /api/events/counts?from&to`: events stored per device, received in the window. */
export const eventCountSchema = z.object({ deviceId: z.string(), events: z.number().int().nonnegative() });
export type EventCount = z.infer<typeof eventCountSchema>;
