import { useT } from '../../i18n/index.ts';
import type { SetupPageProps } from './setup-view.tsx';

/** Placeholder: built by the page's owner. */
export function DevicesView(_props: SetupPageProps) {
  const { t } = useT();
  return <h2>{t('admin.title')}</h2>;
}
