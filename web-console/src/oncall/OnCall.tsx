/**
 * On-call display from `GET /api/v1/oncall?siteId=` (issue 8): the full roster per site in the map's
 * site panel, and a compact "on duty" list in the header. 404, an error or an empty answer all
 * read as "no roster". Phone numbers are masked below supervisor.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { hasRole, loadSession } from '../api/session.js';
import { useApi } from '../api/useApi.js';
import { maskPhone, onDutyNow } from './logic.js';

/** Rosters change at shift boundaries; a minute is fresh enough for "who is on duty now". */
const REFRESH_MS = 60_000;

function useOnCall(siteId: string | undefined) {
  const res = useApi('/oncall', { query: { siteId } });
  const { reload } = res;
  useEffect(() => {
    const iv = setInterval(reload, REFRESH_MS);
    return () => clearInterval(iv);
  }, [reload]);
  const user = loadSession()?.user;
  // A failed refresh (404: the site has no roster, or the roster was removed) must not keep
  // showing the people who were on duty before.
  return { rosters: res.error ? [] : (res.data ?? []), full: !!user && hasRole(user, 'supervisor') };
}

const time = (ts: number, lng: string) =>
  new Date(ts).toLocaleString(lng === 'ko' ? 'ko-KR' : 'en-GB', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

export function OnCallPanel({ siteId }: { siteId: string }) {
  const { t, i18n } = useTranslation();
  const { rosters, full } = useOnCall(siteId);
  const duties = rosters.flatMap((r) => r.duty.map((d) => ({ roster: r.roster, ...d })));
  return (
    <section className="oncall" data-oncall={siteId}>
      <h3>{t('oncall.title')}</h3>
      {duties.length === 0 && <p className="muted">{t('oncall.none')}</p>}
      <ul>
        {duties.map((d) => (
          <li key={`${d.roster}/${d.role}`} data-duty={d.role} data-source={d.source}>
            <strong>{t(`oncall.role.${d.role}`, { defaultValue: d.role })}</strong>{' '}
            <span className="muted">
              ({t(`oncall.source.${d.source}`)}
              {d.shift ? ` · ${d.shift}` : ''}
              {d.until ? ` · ${t('oncall.until', { time: time(d.until, i18n.language) })}` : ''})
            </span>
            {d.contacts.length === 0 && <span className="warn"> ⚠ {t('oncall.nobody')}</span>}
            <ul>
              {d.contacts.map((c) => (
                <li key={c.id} data-contact={c.id}>
                  {c.name} · <span className="num">{maskPhone(c.phone, full)}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function OnDutyCompact() {
  const { t } = useTranslation();
  const { rosters, full } = useOnCall(undefined);
  const now = onDutyNow(rosters);
  return (
    <span className="on-duty" data-on-duty={now.length}>
      ☎ {t('oncall.onDuty')}:{' '}
      {now.length === 0 ? (
        <span className="muted">{t('oncall.none')}</span>
      ) : (
        now.slice(0, 4).map((d) => (
          <span key={`${d.role}/${d.contact.id}`} className="duty" title={maskPhone(d.contact.phone, full)}>
            {d.contact.name} <span className="muted">({t(`oncall.role.${d.role}`, { defaultValue: d.role })})</span>
          </span>
        ))
      )}
      {now.length > 4 ? ` +${now.length - 4}` : ''}
    </span>
  );
}
