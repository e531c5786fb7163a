import { useT } from '../../i18n/index.ts';
import type { SetupPageProps } from '../setup/setup-view.tsx';

/** Placeholder: one resident's whole record, built by the page's owner. */
export function ResidentRecordView(_props: SetupPageProps & { id: string }) {
  const { t } = useT();
  return <h2>{t('record.title')}</h2>;
}
