import { useT } from '../i18n/index.ts';
import { telHref } from '../lib/phone.ts';

/** A phone number as a link that dials it (a softphone or the desk phone's handler). */
export function PhoneLink({ phone }: { phone: string }) {
  const { t } = useT();
  const href = telHref(phone);
  if (!href) return <>{phone}</>;
  return (
    <a class="phone-link" href={href} title={t('phone.call')} data-testid="phone-link">
      {phone}
    </a>
  );
}
