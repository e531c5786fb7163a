import { useRef, useState } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import { Dialog } from './admin-kit.tsx';

/**
 * A device's secret, shown this once: the server keeps only its hash. Copy puts it on the
 * clipboard; where the browser refuses (plain HTTP on another host), the text is selected so
 * Ctrl+C takes it.
 */
export function SecretDialog({ deviceId, secret, onClose }: { deviceId: string; secret: string; onClose: () => void }) {
  const { t } = useT();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      input.current?.focus();
      input.current?.select();
      setCopied('select');
    }
  };
  return (
    <Dialog title={t('admin.secret.title')} onClose={onClose} testid="secret-dialog">
      <p class="notice" role="alert">
        {t('admin.secret.warning')}
      </p>
      <p class="small">
        {t('admin.secret.device')} <span class="mono" data-testid="secret-device">{deviceId}</span>
      </p>
      <div class="secret-line">
        <input ref={input} readOnly class="mono secret-value" data-testid="secret-value" value={secret} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="btn btn-secondary" data-testid="secret-copy" onClick={() => void copy()}>
          {t('admin.secret.copy')}
        </button>
      </div>
      {copied && <p class="muted small">{copied === 'yes' ? t('admin.secret.copied') : t('admin.secret.selected')}</p>}
      <div class="admin-actions">
        <button type="button" class="btn btn-primary" data-testid="secret-done" onClick={onClose}>
          {t('admin.secret.done')}
        </button>
      </div>
    </Dialog>
  );
}
