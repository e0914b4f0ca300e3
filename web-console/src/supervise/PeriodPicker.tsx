import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { useApi } from '../api/useApi.js';
import { fromLocalInput, toLocalInput } from './time.js';

export interface Period {
  siteId?: string;
  from: number;
  to: number;
}

const HOUR = 3_600_000;

export function PeriodPicker({ onApply }: { onApply: (p: Period) => void }) {
  const { t, i18n } = useTranslation();
  // Fixed at mount: the shift list's URL must not change on every render.
  const [now] = useState(() => Date.now());
  const { sites } = useCatalog();
  const [siteId, setSiteId] = useState('');
  const [choice, setChoice] = useState('24h');
  const [from, setFrom] = useState(toLocalInput(now - 24 * HOUR));
  const [to, setTo] = useState(toLocalInput(now));
  const shifts = useApi('/escalation/shifts', { query: { siteId, from: now - 7 * 24 * HOUR, to: now + HOUR } });
  const past = (shifts.data ?? []).filter((s) => s.start < now).reverse();
  const hm = new Intl.DateTimeFormat(i18n.language, {
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  const resolve = (): Period | undefined => {
    const site = siteId || undefined;
    if (choice === '24h') return { siteId: site, from: now - 24 * HOUR, to: now };
    if (choice === '7d') return { siteId: site, from: now - 7 * 24 * HOUR, to: now };
    if (choice.startsWith('shift:')) {
      const s = past[Number(choice.slice(6))];
      return s && { siteId: site, from: s.start, to: Math.min(s.end, now) };
    }
    const f = fromLocalInput(from);
    const e = fromLocalInput(to);
    return f !== undefined && e !== undefined ? { siteId: site, from: f, to: e } : undefined;
  };
  return (
    <form
      className="form-grid period-picker"
      onSubmit={(e) => {
        e.preventDefault();
        const p = resolve();
        if (p) onApply(p);
      }}
    >
      <label>
        {t('sup.common.site')}
        <select value={siteId} data-filter="site" onChange={(e) => setSiteId(e.target.value)}>
          <option value="">{t('sup.common.allSites')}</option>
          {sites.map((s) => (
            <option key={s.siteId} value={s.siteId}>
              {siteName(s, s.siteId, i18n.language)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('sup.common.period')}
        <select value={choice} data-filter="period" onChange={(e) => setChoice(e.target.value)}>
          <option value="24h">{t('sup.common.last24h')}</option>
          <option value="7d">{t('sup.common.last7d')}</option>
          {past.map((s, i) => (
            <option key={`${s.rosterId}-${s.role}-${s.start}`} value={`shift:${i}`}>
              {t('sup.common.shift', { role: s.name ?? s.role, start: hm.format(s.start), end: hm.format(s.end) })}
            </option>
          ))}
          <option value="custom">{t('sup.common.custom')}</option>
        </select>
      </label>
      {choice === 'custom' && (
        <>
          <label>
            {t('sup.common.from')}
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            {t('sup.common.to')}
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </>
      )}
      <button type="submit">{t('sup.common.apply')}</button>
    </form>
  );
}
