import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/http.ts';
import { useT, type MessageKey, type Translator } from '../../i18n/index.ts';
import { errorText } from '../../lib/error-text.ts';

export type Loaded<T> = { kind: 'loading' } | { kind: 'ok'; data: T } | { kind: 'error'; text: string };

/** GET `path` (null: nothing to load); `reload()` reads it again, the old data stays meanwhile. */
export function useLoad<T>(path: string | null): [Loaded<T>, () => void] {
  const tr = useT();
  const [state, setState] = useState<Loaded<T>>({ kind: 'loading' });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    api<T>(path, { signal: ctl.signal })
      .then((data) => setState({ kind: 'ok', data }))
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setState({ kind: 'error', text: errorText(err, tr) });
      });
    return () => ctl.abort();
  }, [path, n]);
  return [state, () => setN((x) => x + 1)];
}

export const dataOf = <T,>(l: Loaded<T>, empty: T): T => (l.kind === 'ok' ? l.data : empty);

// the server's rules for a password (console/auth.ts passwordProblems), by the start of each reason
const passwordRules: Array<[string, MessageKey]> = [
  ['at least 12', 'admin.pw.length'],
  ['at least two kinds', 'admin.pw.kinds'],
  ['not one or a few', 'admin.pw.repeated'],
  ['must not contain', 'admin.pw.username'],
];

/**
 * A refused change, in the page's language. A 400 or 409 here says what is wrong with this very
 * record (an area that still has residents, a taken username, a weak password): the server's
 * own words, with the known cases translated from the answer's details; other failures as the
 * board says them (lib/error-message.ts).
 */
export function adminError(err: unknown, tr: Translator): string {
  if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 409) || err.message.startsWith('HTTP ')) return errorText(err, tr);
  const d = err.details as Record<string, unknown> | Array<{ code?: unknown; message?: unknown }> | undefined;
  if (err.status === 409 && d && !Array.isArray(d) && typeof d.children === 'number' && typeof d.residents === 'number') {
    const parts = (
      [
        ['admin.inUse.children', d.children],
        ['admin.inUse.residents', d.residents],
        ['admin.inUse.users', typeof d.users === 'number' ? d.users : 0],
      ] as const
    ).filter(([, n]) => n > 0);
    return tr.t('admin.error.areaInUse', { what: parts.map(([key, n]) => tr.t(key, { n })).join(tr.lang === 'zh' ? '、' : ', ') });
  }
  if (Array.isArray(d) && d.some((x) => x.code === 'weak_password')) {
    const rules = d
      .filter((x) => x.code === 'weak_password' && typeof x.message === 'string')
      .map((x) => {
        const known = passwordRules.find(([start]) => (x.message as string).startsWith(start));
        return known ? tr.t(known[1]) : (x.message as string);
      });
    return `${tr.t('admin.error.weakPassword')} ${rules.join('; ')}`;
  }
  if (tr.lang === 'en') return err.message;
  return `${tr.t(err.status === 409 ? 'admin.error.conflict' : 'admin.error.invalid')} (${err.message})`;
}

/** A refusal or failure under a form or a row. */
export function ErrorNote({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p class="error" role="alert" data-testid="admin-error">
      {text}
    </p>
  );
}

/** A Centre list's frame: its header row (message keys; `numeric` columns are not left-aligned) and a last column for the row's actions. */
export function AdminTable({ testid, columns, children }: { testid: string; columns: Array<MessageKey | { key: MessageKey; numeric: true }>; children: ComponentChildren }) {
  const { t } = useT();
  return (
    <div class="table-wrap panel">
      <table class="report admin-table" data-testid={testid}>
        <thead>
          <tr>
            {columns.map((c) => (typeof c === 'string' ? <th class="left">{t(c)}</th> : <th>{t(c.key)}</th>))}
            <th />
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** What a list shows while it loads, when its read failed, and when it holds nothing (`empty`). */
export function LoadState({ loaded, empty }: { loaded: Loaded<unknown>; empty: boolean }) {
  const { t } = useT();
  if (loaded.kind === 'loading') return <p class="placeholder">{t('setup.loading')}</p>;
  if (loaded.kind === 'error') return <ErrorNote text={loaded.text} />;
  return empty ? <p class="placeholder">{t('setup.none')}</p> : null;
}

/**
 * Runs one change at a time: `busy` while it runs, its refusal in `error`; answers whether it
 * went through.
 */
export function useAction(): { busy: boolean; error: string | null; setError: (e: string | null) => void; run: (f: () => Promise<unknown>) => Promise<boolean> } {
  const tr = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      return true;
    } catch (err) {
      setError(adminError(err, tr));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** A labelled form field. */
export function Field({ label, children, wide }: { label: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <label class={wide ? 'admin-field wide' : 'admin-field'}>
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A modal dialog (the native <dialog>, so focus and Escape behave as the browser's own). */
export function Dialog({ title, onClose, children, testid }: { title: string; onClose: () => void; children: ComponentChildren; testid?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class="admin-dialog panel" data-testid={testid} onClose={onClose}>
      <h3>{title}</h3>
      {children}
    </dialog>
  );
}

/** "" → null: an empty field clears the value. */
export const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());
