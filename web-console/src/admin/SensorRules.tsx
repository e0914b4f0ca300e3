/**
 * Per-sensor configuration (issue 4 "every rule configurable per sensor", issue 7 admin, issue 15
 * typed rules): pick a site and a sensor; see its configuration as the center knows it (range,
 * calibration, the rules in effect and where they come from, warnings, out-of-service); edit the
 * admin's rule overrides and camera links -> PATCH /api/v1/sensors/{id}. The server checks the
 * rules (the same checks as the signed agent config) and names the bad field with a reason; the
 * field is marked and the reason explained in the admin's language.
 */

import { defaultRules } from '@gwanje/protocol/safety';
import type { RuleOverride, SensorConfigView } from '@gwanje/protocol/schemas/sensor-config.js';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { api, mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';
import { type Explained, explain, FieldError } from './sensor/explain.js';
import { RuleOverrides } from './sensor/RuleOverrides.js';
import { SensorFacts } from './sensor/SensorFacts.js';

interface Link {
  cameraId: string;
  preset?: string;
}

/** Unset fields are left out: the sensor keeps the value in effect for them. */
const clean = (o: RuleOverride): RuleOverride =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as unknown as RuleOverride;

/** A center from before issue 15 sends no configuration view: show the table's defaults. */
const withDefaults = (s: SensorConfigView): SensorConfigView => ({
  ...s,
  rules: s.rules ?? [],
  agentRules: s.agentRules ?? [],
  cameras: s.cameras ?? [],
  warnings: s.warnings ?? [],
  effectiveRules: s.effectiveRules ?? defaultRules(s).map((r) => ({ ...r, origin: 'default' as const })),
});

/** `focus`: a sensor to open at once (route #/admin/<sensorId>, e.g. from a discovered sensor). */
export function SensorRules({ focus }: { focus?: string } = {}) {
  const { t, i18n } = useTranslation();
  const { sites, cameras } = useCatalog();
  const [siteId, setSiteId] = useState('');
  const [sensorId, setSensorId] = useState('');
  const list = useApi(siteId ? '/sensors' : null, { query: { siteId } });
  const listed = siteId ? (list.data ?? []).map(withDefaults) : [];
  const [fresh, setFresh] = useState<SensorConfigView>();
  const sensor = fresh?.sensorId === sensorId ? fresh : listed.find((s) => s.sensorId === sensorId);
  const [rules, setRules] = useState<RuleOverride[]>([]);
  const [links, setLinks] = useState<Link[]>([]);
  const [error, setError] = useState<Explained>();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (!focus) return;
    let live = true;
    api<SensorConfigView[]>('GET', '/sensors')
      .then((all) => {
        const s = all.find((x) => x.sensorId === focus);
        if (!live || !s) return;
        setSiteId(s.siteId);
        setSensorId(s.sensorId);
        document.querySelector('.sensor-rules')?.scrollIntoView();
      })
      .catch((err: unknown) => console.warn('rules: sensor lookup failed', err));
    return () => {
      live = false;
    };
  }, [focus]);

  // Load the form when another sensor is chosen, not when the list refreshes after a save.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the chosen sensor only
  useEffect(() => {
    setRules(sensor?.rules ?? []);
    setLinks(sensor?.cameras ?? []);
    setError(undefined);
    setSaved(false);
  }, [sensor?.sensorId]);

  const changed = (v: SensorConfigView) => {
    setFresh(v);
    list.reload();
  };
  const setLink = (i: number, patch: Partial<Link>) => {
    setSaved(false);
    setLinks(links.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  };

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!sensor) return;
    setError(undefined);
    const body = {
      rules: rules.map(clean),
      cameras: links.map((l) => (l.preset ? { cameraId: l.cameraId, preset: l.preset } : { cameraId: l.cameraId })),
    };
    try {
      const v = await mutate('PATCH /sensors/:sensorId', { params: { sensorId: sensor.sensorId }, body });
      setRules(v.rules);
      setLinks(v.cameras);
      setSaved(true);
      changed(v);
    } catch (err) {
      setError(explain(err, t));
    }
  };

  const siteCameras = cameras.filter((c) => c.siteId === siteId);
  return (
    <section className="admin-card sensor-rules">
      <h2>{t('rules.title')}</h2>
      <div className="form-grid">
        <label>
          {t('filter.site')}
          <select
            value={siteId}
            onChange={(e) => {
              setSiteId(e.target.value);
              setSensorId('');
            }}
          >
            <option value="" />
            {sites.map((s) => (
              <option key={s.siteId} value={s.siteId}>
                {siteName(s, s.siteId, i18n.language)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('rules.sensor')}
          <select value={sensorId} onChange={(e) => setSensorId(e.target.value)}>
            <option value="" />
            {listed.map((s) => (
              <option key={s.sensorId} value={s.sensorId}>
                {s.warnings.length > 0 ? '⚠ ' : ''}
                {s.name ?? s.sensorId} ({s.gas ?? t(`metric.${s.metric}`)}, {s.unit})
              </option>
            ))}
          </select>
        </label>
      </div>
      {sensor && <SensorFacts sensor={sensor} onChanged={changed} />}
      {sensor && (
        <form onSubmit={save}>
          <p className="hint">{t('rules.hint')}</p>
          <RuleOverrides
            sensor={sensor}
            rules={rules}
            invalid={error?.field}
            onChange={(r) => {
              setSaved(false);
              setRules(r);
            }}
          />
          <h3>{t('rules.cameras')}</h3>
          {links.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional, as the API's field paths are
            <div key={i} className="form-grid" data-link={l.cameraId}>
              <select
                required
                aria-label={t('rules.camera')}
                aria-invalid={error?.field === `cameras.${i}.cameraId` ? true : undefined}
                value={l.cameraId}
                onChange={(e) => setLink(i, { cameraId: e.target.value })}
              >
                <option value="" />
                {siteCameras.map((c) => (
                  <option key={c.cameraId} value={c.cameraId}>
                    {c.name} ({c.cameraId})
                  </option>
                ))}
              </select>
              <input
                aria-label={t('rules.preset')}
                placeholder={t('rules.preset')}
                maxLength={64}
                value={l.preset ?? ''}
                onChange={(e) => setLink(i, { preset: e.target.value || undefined })}
              />
              <button type="button" onClick={() => setLinks(links.filter((_, j) => j !== i))}>
                ✕ {t('rules.remove')}
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setLinks([...links, { cameraId: '' }])}>
            + {t('rules.addCamera')}
          </button>
          <div>
            <button type="submit" className="primary">
              {t('rules.save')}
            </button>
            {saved && (
              <span role="status" className="ok">
                ✓ {t('rules.saved')}
              </span>
            )}
          </div>
          <FieldError error={error} />
        </form>
      )}
    </section>
  );
}
