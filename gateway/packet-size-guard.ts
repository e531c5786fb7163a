import { Transform, type TransformCallback } from 'node:stream';

export class PacketTooLargeError extends Error {
  readonly code = 'packet_too_large';
}

/** A packet began arriving and was not complete in time (a truncated packet, a stalled sender). */
export class ReadDeadlineError extends Error {
  readonly code = 'read_deadline';
}

/**
 * Passes MQTT bytes through unchanged while reading each fixed header, and fails the stream
 * as soon as a packet announces a Remaining Length above the limit — before buffering it.
 * (aedes' parser accepts packets up to 256 MB.)  [MQTT-2.2.3] remaining length encoding.
 *
 * It also fails the stream when a packet that has begun arriving is not complete within
 * `readDeadlineMs`: aedes waits for the rest forever on a connection with keepalive 0.
 */
export class PacketSizeGuard extends Transform {
  private state: 'header' | 'length' | 'body' = 'header';
  private length = 0;
  private multiplier = 1;
  private remaining = 0;
  /** Packets begun so far: tells the deadline's packet from a later one. */
  private started = 0;
  private deadline: { packet: number; timer: NodeJS.Timeout } | undefined;
  private deadlineHeld = false;

  constructor(
    private readonly maxPacketBytes: number,
    private readonly readDeadlineMs = 0,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'header') {
        i++;
        this.started++;
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
    this.watchDeadline();
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.clearDeadline();
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.clearDeadline();
    done(err);
  }

  /**
   * Our reader has stopped reading (aedes waits on a commit): the rest of the packet is not
   * arriving because of us, not the sender. The deadline starts afresh on resumeDeadline().
   */
  holdDeadline(): void {
    this.deadlineHeld = true;
    this.clearDeadline();
  }

  resumeDeadline(): void {
    this.deadlineHeld = false;
    this.watchDeadline();
  }

  /** Armed when a chunk ends inside a packet; the clock runs from that packet's first chunk. */
  private watchDeadline(): void {
    if (this.readDeadlineMs <= 0 || this.deadlineHeld || this.destroyed) return;
    if (this.state === 'header') return this.clearDeadline();
    if (this.deadline?.packet === this.started) return;
    this.clearDeadline();
    const timer = setTimeout(
      () => this.destroy(new ReadDeadlineError(`an MQTT packet was not complete within ${this.readDeadlineMs} ms`)),
      this.readDeadlineMs,
    );
    timer.unref();
    this.deadline = { packet: this.started, timer };
  }

  private clearDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline.timer);
    this.deadline = undefined;
  }
}
