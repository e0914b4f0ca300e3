import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n/index.js';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const next = i18n.language.startsWith('ko') ? 'en' : 'ko';
  return (
    <button type="button" className="lang-switch" data-lang={i18n.language} onClick={() => setLanguage(next)}>
      <span aria-hidden="true">A⇄가</span> {t('app.switchTo')}
    </button>
  );
}
