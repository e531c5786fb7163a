import { api } from '../api/http.ts';
import { ConsoleStream, type StreamState } from '../api/stream.ts';
import type { Alarm, Caregiver, ServerMsg, Session } from '../types.ts';
import { applyMessage, applyPolledAlarms, emptyBoard, withPongSkew, type BoardState } from './board-state.ts';
import { Store } from './store.ts';

/** The board's data and the stream's state, shared by every view of one login. */
export const board = new Store<BoardState>(emptyBoard);
export const connection = new Store<StreamState>({ kind: 'connecting' });

type MessageListener = (msg: ServerMsg, before: BoardState) => void;
const messageListeners = new Set<MessageListener>();

/**
 * Told of each stream message once the board has applied it, with the board as it was
 * before: what a message changed (a new alarm, a raised priority) is not in the state alone.
 */
export function onStreamMessage(fn: MessageListener): () => void {
  messageListeners.add(fn);
  return () => messageListeners.delete(fn);
}

// While the stream is down the queue is still refreshed over HTTP, slower: a console that
// shows stale alarms under a "reconnecting" banner is better than an empty one.
const POLL_EVERY_MS = 15_000;
const POLL_AFTER_MS = 3_000;
// the API's most per request (its default, 200, is newest first: an outage's backlog of
// technical alarms would push the oldest calls for help off the board)
const POLL_LIMIT = 1000;

/** Starts the live stream (and the HTTP fallback) for a login; answers how to stop it. */
export function startLiveBoard(session: Session): () => void {
  board.set(emptyBoard);
  const stream = new ConsoleStream(session.token, {
    message: (msg, at) => {
      const before = board.get();
      board.update((s) => applyMessage(s, msg, at));
      for (const fn of [...messageListeners]) fn(msg, before);
    },
    state: (st) => {
      connection.set(st);
      if (st.kind === 'live') poller.stop();
      else poller.start();
    },
    pong: (serverTime, sentAt, receivedAt) => board.update((s) => withPongSkew(s, serverTime, sentAt, receivedAt)),
  });
  const poller = new FallbackPoller(session);
  stream.start();
  return () => {
    stream.stop();
    poller.stop();
  };
}

class FallbackPoller {
  private timer: number | undefined;
  private namesLoaded = false;
  /** Bumped by stop(): an answer to a request of an earlier run is older than the snapshot since. */
  private run = 0;
  private running = false;

  constructor(private readonly session: Session) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const run = this.run;
    this.timer = window.setTimeout(() => void this.poll(run), POLL_AFTER_MS);
  }

  stop(): void {
    this.running = false;
    this.run += 1;
    window.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(run: number): Promise<void> {
    try {
      const active = await api<Alarm[]>(`/api/alarms?status=open&limit=${POLL_LIMIT}`);
      if (run !== this.run) return;
      // a full page may not be all of them: then only add, never drop what it left out
      board.update((s) => (active.length < POLL_LIMIT ? applyPolledAlarms(s, active) : { ...s, alarms: new Map([...s.alarms, ...active.map((a) => [a.id, a] as const)]) }));
      await this.loadNames();
    } catch {
      // the banner already says the board may be out of date; the next poll tries again
    }
    if (run === this.run) this.timer = window.setTimeout(() => void this.poll(run), POLL_EVERY_MS);
  }

  /** Caregiver names for the "notified" lists; on-duty state comes only from the stream. */
  private async loadNames(): Promise<void> {
    if (this.namesLoaded || this.session.role === 'caregiver' || board.get().synced) return;
    const list = await api<Array<Pick<Caregiver, 'id' | 'name' | 'role' | 'phone' | 'areaIds' | 'wearableId'>>>('/api/caregivers');
    this.namesLoaded = true;
    board.update((s) => {
      if (s.synced) return s;
      const caregivers = new Map(s.caregivers);
      for (const c of list) {
        caregivers.set(c.id, { ...c, onDuty: false, shiftEndsAt: null, nextShiftAt: null, wearableOnline: false, battery: null, activeAlarms: 0 });
      }
      return { ...s, caregivers };
    });
  }
}
