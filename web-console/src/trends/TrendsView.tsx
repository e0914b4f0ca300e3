import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { useApi } from '../api/useApi.js';
import { setpointsOf } from './setpoints.js';
import { TrendChart } from './TrendChart.js';

const RANGES = [
  { key: '15m', ms: 15 * 60_000 },
  { key: '1h', ms: 3_600_000 },
  { key: '6h', ms: 6 * 3_600_000 },
  { key: '24h', ms: 24 * 3_600_000 },
];
/** About 600 points per chart whatever the range. */
const stepFor = (ms: number): number => Math.max(1000, Math.round(ms / 600));

export function TrendsView({ sensorId, onSensor }: { sensorId: string | null; onSensor: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const sensors = useApi('/sensors');
  const [range, setRange] = useState(RANGES[1]);
  const [error, setError] = useState<string>();
  const list = sensors.data ?? [];
  const sensor = list.find((s) => s.sensorId === sensorId);
  const [siteId, setSiteId] = useState<string>('');
  const site = siteId || sensor?.siteId || '';
  // The window is fixed when the range or sensor changes; live points extend it to the right.
  // biome-ignore lint/correctness/useExhaustiveDependencies: recompute the window on sensor change too
  const win = useMemo(() => {
    const to = Date.now();
    return { from: to - range.ms, to, step: stepFor(range.ms) };
  }, [range, sensorId]);
  const setpoints = useMemo(() => (sensor ? setpointsOf(sensor) : {}), [sensor]);

  return (
    <div className="trends-view">
      <div className="toolbar">
        <label>
          {t('filter.site')}
          <select value={site} onChange={(e) => setSiteId(e.target.value)}>
            <option value="">{t('filter.allSites')}</option>
            {sites.map((s) => (
              <option key={s.siteId} value={s.siteId}>
                {siteName(s, s.siteId, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('trends.sensor')}
          <select value={sensorId ?? ''} onChange={(e) => onSensor(e.target.value)} name="sensor">
            <option value="">{t('trends.pickSensor')}</option>
            {list
              .filter((s) => !site || s.siteId === site)
              .map((s) => (
                <option key={s.sensorId} value={s.sensorId}>
                  {s.sensorId} ({s.gas ?? t(`metric.${s.metric}`)}, {s.unit})
                </option>
              ))}
          </select>
        </label>
        {RANGES.map((r) => (
          <button type="button" key={r.key} aria-pressed={r === range} onClick={() => setRange(r)}>
            {t(`trends.range.${r.key}`)}
          </button>
        ))}
        <span className="muted">{t('trends.zoomHint')}</span>
      </div>
      {error && <p className="error">{error}</p>}
      {sensor ? (
        <>
          <h2>
            {sensor.sensorId} — {sensor.gas ?? t(`metric.${sensor.metric}`)} ({sensor.unit})
            {setpoints.low !== undefined && ` · ${t('trends.low')} ${setpoints.low}`}
            {setpoints.high !== undefined && ` · ${t('trends.high')} ${setpoints.high}`}
          </h2>
          <TrendChart
            sensorId={sensor.sensorId}
            unit={sensor.unit}
            from={win.from}
            to={win.to}
            step={win.step}
            setpoints={setpoints}
            live
            onError={setError}
          />
        </>
      ) : (
        <p className="muted">{t('trends.pickSensor')}</p>
      )}
    </div>
  );
}
