import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/useApi.js';
import { weekStart } from './time.js';

const DAY = 86_400_000;

export function ShiftCalendar() {
  const { t, i18n } = useTranslation();
  const [start, setStart] = useState(() => weekStart(Date.now()));
  const end = start + 7 * DAY;
  const shifts = useApi('/escalation/shifts', { query: { from: start, to: end } });
  const days = Array.from({ length: 7 }, (_, i) => start + i * DAY);
  const fmt = new Intl.DateTimeFormat(i18n.language, { weekday: 'short', month: 'numeric', day: 'numeric' });
  const hm = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit', hour12: false });
  return (
    <section className="admin-card shift-calendar">
      <h2>
        {t('sup.esc.calendar')}{' '}
        <button type="button" onClick={() => setStart(start - 7 * DAY)}>
          {t('sup.esc.prevWeek')}
        </button>{' '}
        <button type="button" onClick={() => setStart(start + 7 * DAY)}>
          {t('sup.esc.nextWeek')}
        </button>
      </h2>
      {shifts.error && <p className="error">{shifts.error}</p>}
      {shifts.data && shifts.data.length === 0 && <p>{t('sup.esc.noShifts')}</p>}
      <div className="week">
        {days.map((d) => (
          <section key={d} className="week-day" aria-label={fmt.format(d)}>
            <div className="week-day-head">{fmt.format(d)}</div>
            <div className="week-day-body">
              {(shifts.data ?? [])
                .filter((s) => s.start < d + DAY && s.end > d)
                .map((s) => {
                  const top = Math.max(0, (s.start - d) / DAY) * 100;
                  const bottom = Math.min(1, (s.end - d) / DAY) * 100;
                  return (
                    <div
                      key={`${s.rosterId}-${s.role}-${s.start}`}
                      className="shift-block"
                      data-role={s.role}
                      style={{ top: `${top}%`, height: `${bottom - top}%` }}
                      title={`${s.rosterId} · ${s.role}`}
                    >
                      <b>{s.name ? `${s.role} · ${s.name}` : s.role}</b>
                      <span>{s.contacts.map((c) => c.name).join(', ') || '—'}</span>
                      <small>
                        {hm.format(s.start)}–{hm.format(s.end)}
                      </small>
                    </div>
                  );
                })}
            </div>
          </section>
        ))}
      </div>
    </section>
  );
}
