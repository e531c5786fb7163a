import { Duplex, type Readable } from 'node:stream';
import { PacketSizeGuard, PacketTooLargeError, ReadDeadlineError } from './packet-size-guard.ts';
import { CONNACK_UNACCEPTABLE_PROTOCOL, ProtocolLevelCheck, UnsupportedProtocolLevelError } from './protocol-level-check.ts';

/** The peer does not take what is sent to it: too much waits unsent, or nothing drains in time. */
export class SlowReaderError extends Error {
  readonly code = 'slow_reader';
  constructor(
    readonly reason: 'unsent_bytes' | 'drain_timeout',
    message: string,
  ) {
    super(message);
  }
}

/** Why a connection under way was closed by one of its limits; undefined for any other error. */
export function cutOffReason(err: unknown): 'unsent_bytes' | 'drain_timeout' | 'read_deadline' | undefined {
  if (err instanceof SlowReaderError) return err.reason;
  if (err instanceof ReadDeadlineError) return err.code;
  return undefined;
}

export interface ConnectionLimits {
  /** Larger announced packets close the connection before they are buffered. */
  maxPacketBytes: number;
  /** A packet that has begun arriving must be complete within this; 0 = no deadline. */
  readDeadlineMs: number;
  /** Bytes that may wait unsent (ours and the socket's buffers) before the reader is cut off. */
  maxUnsentBytes: number;
  /** A reader whose socket stays backed up this long without draining is cut off. */
  drainTimeoutMs: number;
}

type WriteCallback = (err?: Error | null) => void;

/**
 * The stream aedes reads and writes for one connection (a TCP socket or a WebSocket stream).
 * In: the bytes pass the size guard (with its read deadline) and the protocol-level check.
 * Out: straight to the socket with its backpressure, so aedes paces a slow reader's queue; a
 * reader that leaves more than maxUnsentBytes unsent, or does not drain within
 * drainTimeoutMs, is cut off (SlowReaderError), and aedes closes its client.
 */
export class MqttConnection extends Duplex {
  private readonly input: Readable;
  private readonly guard: PacketSizeGuard;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly limits: ConnectionLimits,
    onRefused: (err: PacketTooLargeError | UnsupportedProtocolLevelError) => void,
  ) {
    super({ allowHalfOpen: false });
    this.guard = new PacketSizeGuard(limits.maxPacketBytes, limits.readDeadlineMs);
    const check = new ProtocolLevelCheck();
    const fail = (err: Error) => {
      if (err instanceof UnsupportedProtocolLevelError) socket.write(CONNACK_UNACCEPTABLE_PROTOCOL); // [MQTT-3.1.2-2]
      if (err instanceof PacketTooLargeError || err instanceof UnsupportedProtocolLevelError) onRefused(err);
      this.destroy(err);
    };
    this.guard.on('error', fail);
    check.on('error', fail);
    this.input = socket.pipe(this.guard).pipe(check);
    this.input.on('data', (chunk: Buffer) => {
      if (this.push(chunk)) return;
      this.input.pause();
      this.guard.holdDeadline();
    });
    this.input.on('end', () => this.push(null));
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.guard.resumeDeadline();
    this.input.resume();
  }

  override write(chunk: unknown, encoding?: BufferEncoding | WriteCallback, cb?: WriteCallback): boolean {
    const ok = super.write(chunk, encoding as BufferEncoding, cb);
    const unsent = this.writableLength + this.socket.writableLength;
    if (unsent > this.limits.maxUnsentBytes && !this.destroyed) {
      this.destroy(new SlowReaderError('unsent_bytes', `${unsent} bytes wait unsent (limit ${this.limits.maxUnsentBytes})`));
    }
    return ok;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: WriteCallback): void {
    this.forward(chunk, done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: WriteCallback): void {
    this.forward(Buffer.concat(chunks.map((c) => c.chunk)), done);
  }

  private forward(chunk: Buffer, done: WriteCallback): void {
    if (this.socket.write(chunk)) return done();
    this.drainTimer ??= setTimeout(
      () => this.destroy(new SlowReaderError('drain_timeout', `nothing drained within ${this.limits.drainTimeoutMs} ms`)),
      this.limits.drainTimeoutMs,
    ).unref();
    this.socket.once('drain', () => {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
      done();
    });
  }

  override _final(done: WriteCallback): void {
    this.socket.end();
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    clearTimeout(this.drainTimer);
    this.guard.destroy(); // its read deadline
    this.socket.destroy();
    done(err);
  }
}
