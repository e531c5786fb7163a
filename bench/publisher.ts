// Load generator for bench/ingest.ts, in its own process so that the broker under test does
// not share its event loop with 50 MQTT clients. Input: JSON on argv[2]; output: JSON on stdout.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';

interface Job {
  url: string;
  devices: Array<{ id: string; secret: string }>;
  events: number;
  window: number;
  sequential: number;
}
const job = JSON.parse(process.argv[2]!) as Job;

const connect = (id: string, secret: string) =>
  new Promise<MqttClient>((resolve, reject) => {
    const c = mqtt.connect(job.url, { username: id, password: secret, clientId: id, reconnectPeriod: 0, protocolVersion: 4 });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });

const timed = (c: MqttClient, topic: string, type: string) => {
  const payload = JSON.stringify({ id: randomUUID(), type, ts: new Date().toISOString(), data: {} });
  const t0 = performance.now();
  return new Promise<number>((resolve, reject) =>
    c.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve(performance.now() - t0))),
  );
};

const clients = await Promise.all(job.devices.map((d) => connect(d.id, d.secret)));
const idle: number[] = [];
for (let i = 0; i < job.sequential; i++) idle.push(await timed(clients[0]!, topics.deviceEvents(job.devices[0]!.id), 'button.pressed'));

const load: number[] = [];
let sent = 0;
const t0 = performance.now();
await Promise.all(
  clients.map((c, i) => {
    const topic = topics.deviceEvents(job.devices[i]!.id);
    const lane = async () => {
      while (sent < job.events) {
        sent++;
        load.push(await timed(c, topic, 'motion'));
      }
    };
    return Promise.all(Array.from({ length: job.window }, lane));
  }),
);
const seconds = (performance.now() - t0) / 1000;
await Promise.all(clients.map((c) => c.endAsync()));
process.stdout.write(JSON.stringify({ idle, load, seconds }));
