/**
 * Issue 21: CSV exports for an operator or an inquiry. Raw readings of one sensor with their
 * quality, or the alarms of a site, over a time range; the files open in Excel (UTF-8 with BOM,
 * formula-safe). Only the caller's sites are offered, and the server checks again.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { apiErrorText } from '../api/errors.js';
import { download, query } from '../api/http.js';
import { useApi } from '../api/useApi.js';

/** `datetime-local` value (local time, minutes) for an epoch ms, and back. */
const toLocal = (ms: number): string => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocal = (v: string): number => new Date(v).getTime();

export function ExportView() {
  const { t, i18n } = useTranslation();
  const { sites, siteById } = useCatalog();
  const [siteId, setSiteId] = useState('');
  const [sensorId, setSensorId] = useState('');
  const [from, setFrom] = useState(() => toLocal(Date.now() - 24 * 3_600_000));
  // The shown end is the minute after now (the input has minute resolution: floor(now) would leave out
  // the readings of the current minute, the ones an operator exporting right after an incident wants);
  // left as shown, the export runs to the moment it is asked for.
  const [to, setTo] = useState(() => toLocal(Math.ceil((Date.now() + 1) / 60_000) * 60_000));
  const [toEdited, setToEdited] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const sensors = useApi(siteId ? '/sensors' : null, { query: { siteId } });
  const list = sensors.data ?? [];
  const shown = { from: fromLocal(from), to: fromLocal(to) };
  const badRange = !(shown.from < shown.to);

  const run = (what: 'readings' | 'alarms') => (e: FormEvent) => {
    e.preventDefault();
    if (badRange) return;
    const range = toEdited ? shown : { from: shown.from, to: Math.max(shown.to, Date.now() + 1) };
    const path =
      what === 'readings'
        ? `/export/readings.csv${query({ sensorId, ...range })}`
        : `/export/alarms.csv${query({ siteId: siteId || undefined, ...range })}`;
    setBusy(true);
    setMessage(null);
    download(path, `${what}.csv`)
      .then(() => setMessage({ ok: true, text: t('exports.done') }))
      .catch((err: unknown) => setMessage({ ok: false, text: apiErrorText(err, t) }))
      .finally(() => setBusy(false));
  };

  return (
    <section className="export-view" data-export-view>
      <h2>{t('exports.title')}</h2>
      <p className="muted">{t('exports.intro')}</p>
      <form className="export-form" onSubmit={run('readings')}>
        <label>
          {t('exports.site')}
          <select
            value={siteId}
            data-export-site
            onChange={(e) => {
              setSiteId(e.target.value);
              setSensorId('');
            }}
          >
            <option value="">{t('exports.allSites')}</option>
            {sites.map((s) => (
              <option key={s.siteId} value={s.siteId}>
                {siteName(siteById.get(s.siteId), s.siteId, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('exports.sensor')}
          <select value={sensorId} data-export-sensor disabled={!siteId} onChange={(e) => setSensorId(e.target.value)}>
            <option value="">{siteId ? t('exports.pickSensor') : t('exports.pickSiteFirst')}</option>
            {list.map((s) => (
              <option key={s.sensorId} value={s.sensorId}>
                {s.sensorId} ({s.gas ?? t(`metric.${s.metric}`, { defaultValue: s.metric })}, {s.unit})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('exports.from')}
          <input type="datetime-local" value={from} data-export-from onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('exports.to')}
          <input
            type="datetime-local"
            value={to}
            data-export-to
            onChange={(e) => {
              setTo(e.target.value);
              setToEdited(true);
            }}
          />
        </label>
        {badRange && (
          <p className="error" role="alert">
            {t('exports.badRange')}
          </p>
        )}
        <div className="button-row">
          <button type="submit" data-export="readings" disabled={busy || !sensorId || badRange}>
            {t('exports.readings')}
          </button>
          <button type="button" data-export="alarms" disabled={busy || badRange} onClick={run('alarms')}>
            {t('exports.alarms')}
          </button>
        </div>
        {busy && (
          <p className="muted" role="status">
            {t('exports.preparing')}
          </p>
        )}
        {message && (
          <p className={message.ok ? 'muted' : 'error'} role={message.ok ? 'status' : 'alert'} data-export-result>
            {message.ok ? message.text : t('exports.failed', { message: message.text })}
          </p>
        )}
      </form>
    </section>
  );
}
