/**
 * EEMUA 191 KPIs for a supervisor (issue 21) from `GET /api/v1/kpis`: figures, alarms per 10 min
 * as a uPlot bar chart against the EEMUA "manageable" lines, per-site table, top chattering
 * sensors; for the chosen site and period (a whole day, a week, or one shift).
 */
import type { KpiResponse } from '@gwanje/protocol/schemas/escalation.js';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { siteName, useCatalog } from '../api/catalog.js';
import { useApi } from '../api/useApi.js';
import { type Period, PeriodPicker } from './PeriodPicker.js';

function KpiChart({ kpis }: { kpis: KpiResponse }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const { bucketMs, counts } = kpis.series;
    const xs = counts.map((_, i) => kpis.from + i * bucketMs);
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height: Math.round(14 * rem),
        ms: 1,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(11, max + 1)] } },
        axes: [
          { stroke: '#9fb0c8', grid: { stroke: '#23304a' }, font: `${0.8 * rem}px sans-serif` },
          { stroke: '#9fb0c8', grid: { stroke: '#23304a' }, font: `${0.8 * rem}px sans-serif` },
        ],
        series: [
          {},
          {
            label: t('sup.kpis.chart'),
            stroke: '#f0a030',
            fill: 'rgba(240,160,48,0.35)',
            paths: uPlot.paths.bars?.({ size: [0.9, 100] }),
            points: { show: false },
          },
          { label: t('sup.kpis.line1'), stroke: '#4caf50', dash: [6, 4], points: { show: false } },
          { label: t('sup.kpis.line10'), stroke: '#e53935', dash: [6, 4], points: { show: false } },
        ],
      },
      [xs, counts, xs.map(() => 1), xs.map(() => 10)],
      el,
    );
    const onResize = () => plot.setSize({ width: el.clientWidth, height: Math.round(14 * rem) });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [kpis, t]);
  return <div ref={ref} className="kpi-chart" data-buckets={kpis.series.counts.length} />;
}

export function KpiView() {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const [period, setPeriod] = useState<Period>();
  const kpis = useApi(period ? '/kpis' : null, { query: { ...period } });
  const name = (id: string) =>
    siteName(
      sites.find((s) => s.siteId === id),
      id,
      i18n.language,
    );
  const k = kpis.data;
  return (
    <section className="admin-card kpi-view">
      <h2>{t('sup.kpis.title')}</h2>
      <PeriodPicker onApply={setPeriod} />
      {kpis.error && <p className="error">{kpis.error}</p>}
      {k && (
        <>
          <dl className="kpi-figures">
            <div data-kpi="activations">
              <dt>{t('sup.kpis.activations')}</dt>
              <dd>{k.activations}</dd>
            </div>
            <div data-kpi="average">
              <dt>{t('sup.kpis.avg')}</dt>
              <dd>{k.alarmsPer10Min.average.toFixed(2)}</dd>
            </div>
            <div data-kpi="peak">
              <dt>{t('sup.kpis.peak')}</dt>
              <dd>{k.alarmsPer10Min.peak}</dd>
            </div>
            <div data-kpi="flood">
              <dt>{t('sup.kpis.flood')}</dt>
              <dd>{k.percentTimeInFlood.toFixed(1)} %</dd>
            </div>
            <div data-kpi="standing">
              <dt>{t('sup.kpis.standing')}</dt>
              <dd>{k.standing.count}</dd>
            </div>
          </dl>
          <h3>{t('sup.kpis.chart')}</h3>
          <p className="hint">{t('sup.kpis.target')}</p>
          <KpiChart kpis={k} />
          <h3>{t('sup.kpis.bySite')}</h3>
          <table className="grid-table" data-table="kpi-sites">
            <thead>
              <tr>
                <th>{t('sup.common.site')}</th>
                <th>{t('sup.kpis.activations')}</th>
                <th>{t('sup.kpis.avg')}</th>
                <th>{t('sup.kpis.peak')}</th>
                <th>{t('sup.kpis.flood')}</th>
                <th>{t('sup.kpis.standing')}</th>
                {(['1', '2', '3', '4'] as const).map((p) => (
                  <th key={p}>{t(`priority.short.${p}`)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {k.sites.map((s) => (
                <tr key={s.siteId} data-site={s.siteId}>
                  <td>{name(s.siteId)}</td>
                  <td>{s.activations}</td>
                  <td>{s.alarmsPer10Min.average.toFixed(2)}</td>
                  <td>{s.alarmsPer10Min.peak}</td>
                  <td>{s.percentTimeInFlood.toFixed(1)} %</td>
                  <td>{s.standing.count}</td>
                  {(['1', '2', '3', '4'] as const).map((p) => (
                    <td key={p}>{s.byPriority[p]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {k.sites.length === 0 && <p>{t('sup.common.none')}</p>}
          <h3>{t('sup.kpis.chatter')}</h3>
          {k.topChattering.length === 0 ? (
            <p>{t('sup.common.none')}</p>
          ) : (
            <table className="grid-table" data-table="chatter">
              <thead>
                <tr>
                  <th>{t('sup.common.site')}</th>
                  <th>{t('sup.kpis.source')}</th>
                  <th>{t('sup.kpis.type')}</th>
                  <th>{t('sup.kpis.activations')}</th>
                  <th>{t('sup.kpis.episodes')}</th>
                </tr>
              </thead>
              <tbody>
                {k.topChattering.map((c) => (
                  <tr key={`${c.sourceId}-${c.type}`}>
                    <td>{name(c.siteId)}</td>
                    <td>{c.sourceId}</td>
                    <td>{t(`alarmType.${c.type}`, { defaultValue: c.type })}</td>
                    <td>{c.activations}</td>
                    <td>{c.episodes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
