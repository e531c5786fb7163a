import { useT } from '../../i18n/index.ts';
import type { Contact } from './admin-types.ts';

/** The family contacts in the order escalation reaches them: add, remove, move up or down. */
export function ContactsEditor({ contacts, onChange }: { contacts: Contact[]; onChange: (c: Contact[]) => void }) {
  const { t } = useT();
  const set = (i: number, part: Partial<Contact>) => onChange(contacts.map((c, j) => (j === i ? { ...c, ...part } : c)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...contacts];
    const [c] = next.splice(i, 1);
    next.splice(i + by, 0, c!);
    onChange(next);
  };
  return (
    <fieldset class="admin-contacts" data-testid="contacts">
      <legend>{t('admin.contacts.title')}</legend>
      {contacts.length === 0 && <p class="muted small">{t('admin.contacts.none')}</p>}
      <ol>
        {contacts.map((c, i) => (
          <li key={i} data-testid="contact-row">
            <input data-testid="contact-name" required maxLength={200} placeholder={t('admin.name')} aria-label={t('admin.name')} value={c.name} onInput={(e) => set(i, { name: e.currentTarget.value })} />
            <input data-testid="contact-phone" required type="tel" placeholder={t('admin.phone')} aria-label={t('admin.phone')} value={c.phone} onInput={(e) => set(i, { phone: e.currentTarget.value })} />
            <input
              data-testid="contact-relation"
              maxLength={100}
              placeholder={t('admin.contacts.relation')}
              aria-label={t('admin.contacts.relation')}
              value={c.relation ?? ''}
              onInput={(e) => set(i, { relation: e.currentTarget.value })}
            />
            <button type="button" class="btn btn-quiet" title={t('admin.contacts.up')} aria-label={t('admin.contacts.up')} disabled={i === 0} onClick={() => move(i, -1)}>
              ↑
            </button>
            <button type="button" class="btn btn-quiet" title={t('admin.contacts.down')} aria-label={t('admin.contacts.down')} disabled={i === contacts.length - 1} onClick={() => move(i, 1)}>
              ↓
            </button>
            <button type="button" class="btn btn-quiet danger-text" data-testid="contact-remove" title={t('admin.contacts.remove')} aria-label={t('admin.contacts.remove')} onClick={() => onChange(contacts.filter((_, j) => j !== i))}>
              ✕
            </button>
          </li>
        ))}
      </ol>
      <button type="button" class="btn btn-secondary" data-testid="contact-add" disabled={contacts.length >= 20} onClick={() => onChange([...contacts, { name: '', phone: '', relation: '' }])}>
        {t('admin.contacts.add')}
      </button>
    </fieldset>
  );
}
