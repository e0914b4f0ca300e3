/**
 * Province map: the 31 sites placed by lat/lon with a Mercator projection fitted to the embedded
 * Gyeonggi outline (no tile server). Each site shows its worst active alarm by colour, by marker
 * shape (same glyphs as the alarm list) and by text.
 */
import { geoMercator, geoPath } from 'd3-geo';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PRIORITY_ICON, worstBySite } from '../alarms/logic.js';
import { siteName, useCatalog } from '../api/catalog.js';
import { useLive } from '../live/LiveProvider.js';
import { GYEONGGI, SEOUL_LABEL } from './gyeonggi.js';
import { SitePanel } from './SitePanel.js';

const W = 1000;
const H = 1000;

export function SiteMap({ onTrend }: { onTrend: (sensorId: string) => void }) {
  const { t, i18n } = useTranslation();
  const { sites, siteById } = useCatalog();
  const alarms = useLive((s) => s.alarms);
  const flood = useLive((s) => s.flood);
  const [selected, setSelected] = useState<string | null>(null);
  const worst = useMemo(() => worstBySite(alarms.values()), [alarms]);
  const { outline, project } = useMemo(() => {
    const projection = geoMercator().fitExtent(
      [
        [40, 40],
        [W - 40, H - 40],
      ],
      GYEONGGI,
    );
    return { outline: geoPath(projection)(GYEONGGI) ?? '', project: projection };
  }, []);
  const seoul = project(SEOUL_LABEL);

  return (
    <div className="map-view">
      <svg className="site-map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('map.title')}>
        <path d={outline} className="province" fillRule="evenodd" />
        {seoul && (
          <text x={seoul[0]} y={seoul[1]} className="seoul-label" textAnchor="middle">
            {t('map.seoul')}
          </text>
        )}
        {sites.map((s) => {
          const p = project([s.lon, s.lat]);
          if (!p) return null;
          const w = worst.get(s.siteId);
          const label = siteName(s, s.siteId, i18n.language);
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>
            <g
              key={s.siteId}
              className={`site-marker ${w ? `p${w}` : 'ok'}${selected === s.siteId ? ' selected' : ''}${flood.has(s.siteId) ? ' flood' : ''}`}
              data-site={s.siteId}
              data-worst={w ?? 'none'}
              transform={`translate(${p[0]},${p[1]})`}
              onClick={() => setSelected(s.siteId)}
              onKeyDown={(e) => e.key === 'Enter' && setSelected(s.siteId)}
              tabIndex={0}
              role="button"
              aria-label={`${label}: ${w ? t(`priority.${w}`) : t('map.noAlarm')}`}
            >
              <circle r={w ? 16 : 10} />
              <text className="glyph" textAnchor="middle" dy="0.35em">
                {w ? PRIORITY_ICON[w] : ''}
              </text>
              <text className="name" y={w ? 34 : 26} textAnchor="middle">
                {label}
                {w ? ` · ${t(`priority.short.${w}`)}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <div className="map-side">
        <ul className="legend" aria-label={t('map.legend')}>
          {([1, 2, 3, 4] as const).map((p) => (
            <li key={p} className={`p${p}`}>
              <span className="swatch">{PRIORITY_ICON[p]}</span> {t(`priority.${p}`)}
            </li>
          ))}
          <li className="ok">
            <span className="swatch">○</span> {t('map.noAlarm')}
          </li>
        </ul>
        {selected ? (
          <SitePanel site={siteById.get(selected)} siteId={selected} onTrend={onTrend} />
        ) : (
          <p className="muted">{t('map.pickSite')}</p>
        )}
      </div>
    </div>
  );
}
