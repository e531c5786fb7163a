import { useT } from '../../i18n/index.ts';
import type { SetupPageProps } from '../setup/setup-view.tsx';

/** Placeholder: built by the page's owner. */
export function DutyView(_props: SetupPageProps) {
  const { t } = useT();
  return <h2>{t('duty.title')}</h2>;
}
