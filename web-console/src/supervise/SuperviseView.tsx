/**
 * The supervisor's screens (issue 21), so a supervisor never needs the REST API: KPIs,
 * escalation and rosters, the SMS log, the audit trail, agent config and the shift report.
 * Tabs follow the WAI-ARIA tabs pattern (arrow keys move between tabs, Tab enters the panel);
 * the chosen tab is in the URL (#/supervise/<tab>). Supervisors and admins only (the API refuses
 * others as well).
 */
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { AuditView } from './AuditView.js';
import { ConfigPush } from './ConfigPush.js';
import { EscalationEditor } from './EscalationEditor.js';
import { KpiView } from './KpiView.js';
import { ShiftReport } from './ShiftReport.js';
import { SmsLog } from './SmsLog.js';

export const SUPERVISE_TABS = ['kpis', 'escalation', 'sms', 'audit', 'config', 'report'] as const;
export type SuperviseTab = (typeof SUPERVISE_TABS)[number];

export const asTab = (v: string | null | undefined): SuperviseTab => SUPERVISE_TABS.find((x) => x === v) ?? 'kpis';

export function SuperviseView({
  tab,
  onTab,
  isAdmin,
}: {
  tab: SuperviseTab;
  onTab: (t: SuperviseTab) => void;
  isAdmin: boolean;
}) {
  const { t } = useTranslation();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const move = (i: number) => {
    const n = (i + SUPERVISE_TABS.length) % SUPERVISE_TABS.length;
    onTab(SUPERVISE_TABS[n]);
    tabs.current[n]?.focus();
  };
  const at = SUPERVISE_TABS.indexOf(tab);
  return (
    <div className="supervise-view">
      <div className="tabs no-print" role="tablist" aria-label={t('sup.nav')}>
        {SUPERVISE_TABS.map((x, i) => (
          <button
            key={x}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`sup-tab-${x}`}
            data-tab={x}
            aria-selected={x === tab}
            aria-controls="sup-panel"
            tabIndex={x === tab ? 0 : -1}
            onClick={() => onTab(x)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight') move(at + 1);
              else if (e.key === 'ArrowLeft') move(at - 1);
              else if (e.key === 'Home') move(0);
              else if (e.key === 'End') move(SUPERVISE_TABS.length - 1);
              else return;
              e.preventDefault();
            }}
          >
            {t(`sup.tabs.${x}`)}
          </button>
        ))}
      </div>
      <div id="sup-panel" role="tabpanel" aria-labelledby={`sup-tab-${tab}`} data-panel={tab}>
        {tab === 'kpis' && <KpiView />}
        {tab === 'escalation' && <EscalationEditor isAdmin={isAdmin} />}
        {tab === 'sms' && <SmsLog />}
        {tab === 'audit' && <AuditView />}
        {tab === 'config' && <ConfigPush isAdmin={isAdmin} />}
        {tab === 'report' && <ShiftReport />}
      </div>
    </div>
  );
}
