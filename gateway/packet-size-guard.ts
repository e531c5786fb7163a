import { Duplex, Transform, type TransformCallback } from 'node:stream';

export class PacketTooLargeError extends Error {
  readonly code = 'packet_too_large';
}

/**
 * Passes MQTT bytes through unchanged while reading each fixed header, and fails the stream
 * as soon as a packet announces a Remaining Length above the limit — before buffering it.
 * (aedes' parser accepts packets up to 256 MB.)  [MQTT-2.2.3] remaining length encoding.
 */
export class PacketSizeGuard extends Transform {
  private state: 'header' | 'length' | 'body' = 'header';
  private length = 0;
  private multiplier = 1;
  private remaining = 0;

  constructor(private readonly maxPacketBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'header') {
        i++;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
      } else if (this.state === 'length') {
        const byte = chunk[i++]!;
        this.length += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        if (this.length > this.maxPacketBytes) {
          return done(new PacketTooLargeError(`MQTT packet of ${this.length}+ bytes exceeds ${this.maxPacketBytes}`));
        }
        if ((byte & 0x80) === 0) {
          this.remaining = this.length;
          this.state = this.remaining === 0 ? 'header' : 'body';
        } else if (this.multiplier > 128 ** 4) {
          return done(new PacketTooLargeError('malformed remaining length'));
        }
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'header';
      }
    }
    done(null, chunk);
  }
}

/** The connection aedes sees: guarded bytes in, raw writes out; errors close the socket. */
export function guardConnection(socket: Duplex, maxPacketBytes: number, onReject: (err: Error) => void): Duplex {
  const guard = new PacketSizeGuard(maxPacketBytes);
  const conn = Duplex.from({ readable: socket.pipe(guard), writable: socket });
  guard.on('error', (err) => {
    if (err instanceof PacketTooLargeError) onReject(err);
    socket.destroy();
    conn.destroy();
  });
  socket.on('error', () => conn.destroy());
  socket.on('close', () => conn.destroy());
  conn.on('close', () => socket.destroy());
  return conn;
}
