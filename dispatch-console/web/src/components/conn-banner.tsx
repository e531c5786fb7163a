import { useT } from '../i18n/index.ts';
import { connection } from '../state/live-board.ts';
import { useStore } from '../state/store.ts';
import { useNow } from '../state/ticker.ts';

/** A banner that cannot be missed while the live stream is down (the board may be stale). */
export function ConnBanner() {
  const { t } = useT();
  const conn = useStore(connection, (c) => c);
  if (conn.kind !== 'reconnecting') return null;
  return (
    <div class="conn-banner" role="alert" data-testid="conn-banner">
      {t('conn.banner')} <RetryIn at={conn.retryAt} />
    </div>
  );
}

function RetryIn({ at }: { at: number }) {
  const { t } = useT();
  const now = useNow();
  const s = Math.ceil((at - now) / 1000);
  return s > 0 ? <span class="conn-retry">({t('conn.retryIn', { s })})</span> : null;
}
