import { languages, useT, type Lang } from '../i18n/index.ts';

// each language named in itself, so someone who cannot read the current one finds theirs
const names: Record<Lang, string> = { en: 'English', zh: '中文' };

export function LangSwitch({ lang, onLang }: { lang: Lang; onLang: (l: Lang) => void }) {
  const { t } = useT();
  return (
    <select class="lang-switch" data-testid="lang-switch" aria-label={t('header.language')} value={lang} onChange={(e) => onLang(e.currentTarget.value as Lang)}>
      {languages.map((l) => (
        <option key={l} value={l}>
          {names[l]}
        </option>
      ))}
    </select>
  );
}
