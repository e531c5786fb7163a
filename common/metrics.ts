import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';

/** One registry per service instance (tests run several side by side). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    mqttConnections: new Gauge({ name: 'homecare_mqtt_connections', help: 'Open MQTT connections', registers: [registry] }),
    mqttConnectRefused: new Counter({
      name: 'homecare_mqtt_connect_refused_total',
      help: 'MQTT CONNECTs refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    mqttConnectionsDropped: new Counter({
      name: 'homecare_mqtt_connections_dropped_total',
      help:
        'Connections the broker closed on its own: unsent_bytes and drain_timeout (a reader that does not take its messages), ' +
        'read_deadline (a packet left half-sent), connection_cap (a device over its live connections: the oldest)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    mqttAclDenied: new Counter({
      name: 'homecare_mqtt_acl_denied_total',
      help: 'Publishes/subscribes refused by the topic ACL',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
    messagesRejected: new Counter({
      name: 'homecare_messages_rejected_total',
      help: 'Messages refused, by reason code (acknowledged and discarded; packet_too_large drops the connection)',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    eventsReceived: new Counter({
      name: 'homecare_events_received_total',
      help: 'Valid device events received, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    eventsStored: new Counter({ name: 'homecare_events_stored_total', help: 'Device events committed', registers: [registry] }),
    eventsDuplicate: new Counter({
      name: 'homecare_events_duplicate_total',
      help: 'Retransmitted events recognised as already stored',
      registers: [registry],
    }),
    ingestBatchSize: new Histogram({
      name: 'homecare_ingest_batch_size',
      help: 'Events per group commit',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    ingestCommitSeconds: new Histogram({
      name: 'homecare_ingest_commit_seconds',
      help: 'Time from receipt to durable commit',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    ingestPending: new Gauge({ name: 'homecare_ingest_pending', help: 'Events waiting to be committed', registers: [registry] }),
    ingestFailures: new Counter({ name: 'homecare_ingest_failures_total', help: 'Failed commit attempts (retried)', registers: [registry] }),
    alarmsOpened: new Counter({
      name: 'homecare_alarms_opened_total',
      help: 'Alarms opened, by priority',
      labelNames: ['priority'] as const,
      registers: [registry],
    }),
    alertLatency: new Histogram({
      name: 'homecare_alert_publish_seconds',
      help: 'From the event (or escalation step) to the alert handed to the broker',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    escalationSteps: new Counter({
      name: 'homecare_escalation_steps_total',
      help: 'Escalation steps taken after the first, by step kind and why',
      labelNames: ['kind', 'reason'] as const,
      registers: [registry],
    }),
    escalationDeadlinesMissed: new Counter({
      name: 'homecare_escalation_deadlines_missed_total',
      help: 'Deadlines found passed and unserved by the watchdog',
      registers: [registry],
    }),
    dispatchDbAway: new Counter({
      name: 'homecare_dispatch_db_away_total',
      help: 'Times the database failed or gave no answer within DB_DEADLINE_MS (an outage, or a burst that saturates it) and the dispatcher went on deciding from memory, writing later in order',
      registers: [registry],
    }),
    smsSent: new Counter({
      name: 'homecare_sms_total',
      help: 'SMS by result (sent to provider, failed, outbox when no provider)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    smsReplyRefused: new Counter({
      name: 'homecare_sms_reply_refused_total',
      help:
        'Inbound SMS replies refused from registered numbers: wrong_code (names no alarm the number may answer; ' +
        'no alarm and someone else\'s alarm are not told apart), too_many_attempts (not read: too many wrong codes lately)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    consoleClients: new Gauge({ name: 'homecare_console_clients', help: 'Live console connections (/ws)', registers: [registry] }),
    consoleDropped: new Counter({
      name: 'homecare_console_messages_dropped_total',
      help: 'Live messages not sent to a console that had fallen behind (it gets a fresh snapshot instead)',
      registers: [registry],
    }),
    consoleResyncs: new Counter({
      name: 'homecare_console_resyncs_total',
      help: 'Fresh snapshots sent to consoles that had fallen behind, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'homecare_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
