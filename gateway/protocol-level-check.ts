import { Transform, type TransformCallback } from 'node:stream';

/** A CONNECT for a protocol level this broker does not speak (it speaks 3.1 and 3.1.1). */
export class UnsupportedProtocolLevelError extends Error {
  readonly code = 'protocol_version';
  constructor(readonly level: number) {
    super(`MQTT protocol level ${level} is not supported (3.1.1 is)`);
  }
}

/** CONNACK, return code 0x01 "unacceptable protocol version" [MQTT-3.2.2.3]. */
export const CONNACK_UNACCEPTABLE_PROTOCOL = Buffer.from([0x20, 0x02, 0x00, 0x01]);

const SUPPORTED = new Set([3, 4]);
const PROTOCOL_NAMES = new Set(['MQTT', 'MQIsdp']);
const LONGEST_NAME = 6;

type Verdict = 'need-more' | 'pass' | { refuse: number };

/** Reads the first packet as far as its protocol level byte [MQTT-3.1.2.1], [MQTT-3.1.2.2]. */
function judge(buf: Buffer): Verdict {
  if (buf.length < 1) return 'need-more';
  if (buf[0]! >> 4 !== 1) return 'pass'; // not a CONNECT: aedes closes the connection [MQTT-3.1.0-1]
  let pos = 1;
  let remaining = 0;
  for (let multiplier = 1; ; multiplier *= 128) {
    if (pos >= buf.length) return 'need-more';
    const byte = buf[pos++]!;
    remaining += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
    if (pos > 4) return 'pass'; // malformed length: the size guard or aedes deals with it
  }
  if (buf.length < pos + 2) return 'need-more';
  const nameLength = buf.readUInt16BE(pos);
  if (nameLength > LONGEST_NAME || remaining < 2 + nameLength + 1) return 'pass'; // not MQTT: aedes drops it
  if (buf.length < pos + 2 + nameLength + 1) return 'need-more';
  const name = buf.toString('latin1', pos + 2, pos + 2 + nameLength);
  if (!PROTOCOL_NAMES.has(name)) return 'pass'; // [MQTT-3.1.2-1] may be closed without CONNACK
  const level = buf[pos + 2 + nameLength]!;
  return SUPPORTED.has(level & 0x7f) ? 'pass' : { refuse: level }; // 0x80: a bridge's flag
}

/**
 * Holds the first bytes of a connection until the CONNECT's protocol level is known. A level
 * the broker does not speak (MQTT 5 above all) fails the stream with
 * UnsupportedProtocolLevelError, for the connection to answer CONNACK 0x01 and close
 * [MQTT-3.1.2-2]: aedes' parser reads an MQTT 5 CONNECT's properties first, and one that is
 * shaped otherwise (or another level) is dropped without a CONNACK.
 */
export class ProtocolLevelCheck extends Transform {
  private held: Buffer | undefined = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.held === undefined) return done(null, chunk);
    const buf = Buffer.concat([this.held, chunk]);
    const verdict = judge(buf);
    if (verdict === 'need-more') {
      this.held = buf;
      return done();
    }
    this.held = undefined;
    if (verdict === 'pass') return done(null, buf);
    done(new UnsupportedProtocolLevelError(verdict.refuse));
  }

  override _flush(done: TransformCallback): void {
    const rest = this.held;
    this.held = undefined;
    done(null, rest?.length ? rest : undefined);
  }
}
