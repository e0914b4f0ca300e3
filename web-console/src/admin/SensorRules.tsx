/**
 * Per-sensor rule overrides and camera links (issue 4 "every rule configurable per sensor",
 * issue 7 admin): pick a site and a sensor, edit, save -> PATCH /api/v1/sensors/{id}. The
 * server validates (and resolves the rules with detection) and names the bad field; that field
 * is shown and its input marked.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { ApiError, api, query } from '../api/http.js';
import { useApi } from '../api/useApi.js';

interface Override {
  type: string;
  enabled?: boolean;
  setpoint?: number;
  priority?: 1 | 2 | 3 | 4;
  deadband?: number;
  onDelayMs?: number;
  offDelayMs?: number;
  latched?: boolean;
}
interface Link {
  cameraId: string;
  preset?: string;
}
interface SensorAdminView {
  sensorId: string;
  siteId: string;
  name?: string;
  metric: string;
  gas?: string;
  unit: string;
  rules?: Override[];
  cameras?: Link[];
}

const RULE_TYPES = ['gas-low', 'gas-high', 'twa', 'stel', 'o2-low', 'o2-high', 'rate-of-rise', 'over-range', 'stale'];
const NUMBERS = ['setpoint', 'deadband', 'onDelayMs', 'offDelayMs'] as const;
const FLAGS = ['enabled', 'latched'] as const;

const num = (v: string): number | undefined => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
const flag = (v: string): boolean | undefined => (v === '' ? undefined : v === 'true');

/** `focus`: a sensor to open at once (route #/admin/<sensorId>, e.g. from a discovered sensor). */
export function SensorRules({ focus }: { focus?: string } = {}) {
  const { t, i18n } = useTranslation();
  const { sites, cameras } = useCatalog();
  const [siteId, setSiteId] = useState('');
  const [sensorId, setSensorId] = useState('');
  const list = useApi<SensorAdminView[]>(siteId ? `/sensors${query({ siteId })}` : null);
  const sensors = siteId && Array.isArray(list.data) ? list.data : [];
  const sensor = sensors.find((s) => s.sensorId === sensorId);
  const [rules, setRules] = useState<Override[]>([]);
  const [links, setLinks] = useState<Link[]>([]);
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (!focus) return;
    let live = true;
    api<SensorAdminView[]>('GET', '/sensors')
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

  const setRule = (i: number, patch: Partial<Override>) => {
    setSaved(false);
    setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };
  const setLink = (i: number, patch: Partial<Link>) => {
    setSaved(false);
    setLinks(links.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  };
  const bad = (field: string) => (error?.field === field ? true : undefined);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!sensor) return;
    setError(undefined);
    // Unset fields are left out: the sensor keeps the CONTRACT default for them.
    const clean = (o: Override): Override =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as unknown as Override;
    const body = {
      rules: rules.map(clean),
      cameras: links.map((l) => (l.preset ? { cameraId: l.cameraId, preset: l.preset } : { cameraId: l.cameraId })),
    };
    try {
      const v = await api<SensorAdminView>('PATCH', `/sensors/${encodeURIComponent(sensor.sensorId)}`, body);
      setRules(v.rules ?? []);
      setLinks(v.cameras ?? []);
      setSaved(true);
      list.reload();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // A 400 names the field (CONTRACT error body); older servers only prefix the message with it.
      const field =
        err instanceof ApiError && err.status === 400 ? (err.field ?? /^([\w.]+):/.exec(message)?.[1]) : undefined;
      setError({ field, message });
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
            {sensors.map((s) => (
              <option key={s.sensorId} value={s.sensorId}>
                {s.name ?? s.sensorId} ({s.gas ?? s.metric}, {s.unit})
              </option>
            ))}
          </select>
        </label>
      </div>
      {sensor && (
        <form onSubmit={save}>
          <p className="hint">{t('rules.hint')}</p>
          <table className="rules-table">
            <thead>
              <tr>
                <th>{t('rules.type')}</th>
                {NUMBERS.map((k) => (
                  <th key={k}>{t(`rules.${k}`)}</th>
                ))}
                <th>{t('rules.priority')}</th>
                {FLAGS.map((k) => (
                  <th key={k}>{t(`rules.${k}`)}</th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional, as the API's field paths are
                <tr key={i} data-rule={r.type}>
                  <td>
                    <input
                      required
                      list="rule-types"
                      aria-label={t('rules.type')}
                      aria-invalid={bad(`rules.${i}.type`)}
                      value={r.type}
                      onChange={(e) => setRule(i, { type: e.target.value })}
                    />
                  </td>
                  {NUMBERS.map((k) => (
                    <td key={k}>
                      <input
                        type="number"
                        step="any"
                        name={k}
                        aria-label={t(`rules.${k}`)}
                        aria-invalid={bad(`rules.${i}.${k}`)}
                        value={r[k] ?? ''}
                        onChange={(e) => setRule(i, { [k]: num(e.target.value) })}
                      />
                    </td>
                  ))}
                  <td>
                    <select
                      aria-label={t('rules.priority')}
                      aria-invalid={bad(`rules.${i}.priority`)}
                      value={r.priority ?? ''}
                      onChange={(e) => setRule(i, { priority: num(e.target.value) as Override['priority'] })}
                    >
                      <option value="">{t('rules.default')}</option>
                      {[1, 2, 3, 4].map((p) => (
                        <option key={p} value={p}>
                          P{p}
                        </option>
                      ))}
                    </select>
                  </td>
                  {FLAGS.map((k) => (
                    <td key={k}>
                      <select
                        aria-label={t(`rules.${k}`)}
                        value={r[k] === undefined ? '' : String(r[k])}
                        onChange={(e) => setRule(i, { [k]: flag(e.target.value) })}
                      >
                        <option value="">{t('rules.default')}</option>
                        <option value="true">{t('rules.yes')}</option>
                        <option value="false">{t('rules.no')}</option>
                      </select>
                    </td>
                  ))}
                  <td>
                    <button type="button" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                      ✕ {t('rules.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <datalist id="rule-types">
            {RULE_TYPES.map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
          <button type="button" onClick={() => setRules([...rules, { type: '' }])}>
            + {t('rules.addRule')}
          </button>
          <h3>{t('rules.cameras')}</h3>
          {links.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional, as the API's field paths are
            <div key={i} className="form-grid" data-link={l.cameraId}>
              <select
                required
                aria-label={t('rules.camera')}
                aria-invalid={bad(`cameras.${i}.cameraId`)}
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
          {error && (
            <p className="error" role="alert" data-field={error.field}>
              {error.field ? `${t('rules.field')} ${error.field} — ` : ''}
              {error.message}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
