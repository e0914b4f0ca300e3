/**
 * The shift report (issue 21): choose site and shift (or a period) and the language, the center
 * renders the printable page (`GET /api/v1/reports/shift`), shown here in a sandboxed frame and
 * printed from it (A4 print CSS in the page). Printing the console itself (Ctrl+P) prints only
 * the report too (styles.css `@media print`).
 */
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorText } from '../api/errors.js';
import { apiText, query } from '../api/http.js';
import { type Period, PeriodPicker } from './PeriodPicker.js';

export function ShiftReport() {
  const { t, i18n } = useTranslation();
  const [lang, setLang] = useState<'ko' | 'en'>(i18n.language.startsWith('ko') ? 'ko' : 'en');
  const [html, setHtml] = useState<string>();
  const [error, setError] = useState<string>();
  const frame = useRef<HTMLIFrameElement>(null);
  const make = (p: Period) => {
    setError(undefined);
    apiText(`/reports/shift${query({ ...p, lang })}`)
      .then(setHtml)
      .catch((err: unknown) => setError(apiErrorText(err, t)));
  };
  return (
    <section className="admin-card shift-report">
      <h2 className="no-print">{t('sup.report.title')}</h2>
      <div className="no-print">
        <label>
          {t('sup.report.lang')}{' '}
          <select value={lang} data-filter="lang" onChange={(e) => setLang(e.target.value as 'ko' | 'en')}>
            <option value="ko">한국어</option>
            <option value="en">English</option>
          </select>
        </label>
        <PeriodPicker onApply={make} />
      </div>
      {error && <p className="error">{error}</p>}
      {html && (
        <>
          <button type="button" className="no-print" data-print onClick={() => frame.current?.contentWindow?.print()}>
            {t('sup.report.print')}
          </button>
          <iframe
            ref={frame}
            className="report-frame"
            title={t('sup.report.frame')}
            srcDoc={html}
            sandbox="allow-same-origin allow-modals"
          />
        </>
      )}
    </section>
  );
}
