import type { CameraPosition } from '@gwanje/protocol/schemas/plan.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { worstBy } from '../alarms/logic.js';
import { siteName, useCatalog } from '../api/catalog.js';
import { apiErrorText } from '../api/errors.js';
import { apiBlob, mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';
import { useLive, useLiveStore } from '../live/LiveProvider.js';
import { VideoTile } from '../wall/VideoTile.js';
import { BLANK_PLAN } from './geometry.js';
import { type PlacedMarker, PlanCanvas } from './PlanCanvas.js';
import { PlanEditor } from './PlanEditor.js';

const LAST_SITE_KEY = 'gwanje.plan.site';

export function SitePlanView({
  siteId,
  canEdit,
  onSite,
  onTrend,
}: {
  siteId: string | null;
  canEdit: boolean;
  onSite: (siteId: string) => void;
  onTrend: (sensorId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const { sites, cameras } = useCatalog();
  // Without a site in the route, the one last shown on this console (then the first one).
  const remembered = localStorage.getItem(LAST_SITE_KEY);
  const site =
    siteId ?? (remembered && sites.some((x) => x.siteId === remembered) ? remembered : (sites[0]?.siteId ?? null));
  useEffect(() => {
    if (siteId) localStorage.setItem(LAST_SITE_KEY, siteId);
  }, [siteId]);
  const layout = useApi(site ? '/sites/:siteId/layout' : null, { params: { siteId: site ?? '' } });
  const sensors = useApi(site ? '/sensors' : null, { query: { siteId: site ?? undefined } });
  const store = useLiveStore();
  const alarms = useLive((s) => s.alarms);
  const [imageUrl, setImageUrl] = useState<string>();
  const [editing, setEditing] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [video, setVideo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [moved, setMoved] = useState(new Map<string, CameraPosition>());
  const saving = useRef(new Map<string, Promise<void>>());
  // Values refresh once a second from the live side channel (as the site panel does).
  const [, setTick] = useState(0);
  useEffect(() => {
    const iv = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(iv);
  }, []);

  const plan = layout.data?.plan ?? null;
  const planKey = plan ? `${plan.siteId}:${plan.sha256}` : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: planKey names the image; refetch only when it changes
  useEffect(() => {
    if (!planKey || !site) {
      setImageUrl(undefined);
      return;
    }
    let url: string | undefined;
    let live = true;
    apiBlob(`/sites/${encodeURIComponent(site)}/plan`)
      .then((b) => {
        if (!live) return;
        url = URL.createObjectURL(b);
        setImageUrl(url);
      })
      .catch((err: unknown) => setError(apiErrorText(err, t)));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [planKey]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: another site starts clean
  useEffect(() => {
    setMoved(new Map());
    setSelected(undefined);
    setVideo(null);
  }, [site]);

  const box = plan ? { w: plan.width, h: plan.height } : BLANK_PLAN;
  const siteCameras = cameras.filter((c) => c.siteId === site);
  const sensorList = sensors.data ?? [];
  const worst = useMemo(
    () => worstBy(alarms.values(), (a) => (a.siteId === site ? a.sourceId : undefined)),
    [alarms, site],
  );

  const markers: PlacedMarker[] = [];
  for (const { sensorId, position } of layout.data?.sensors ?? []) {
    const s = sensorList.find((x) => x.sensorId === sensorId);
    const live = store.lastReadings.get(sensorId);
    const v = live?.value ?? s?.last?.value;
    const state = live?.state ?? s?.state;
    const label = `${v ?? '—'} ${s?.unit ?? ''}`.trim();
    markers.push({
      kind: 'sensor',
      id: sensorId,
      position: moved.get(`sensor:${sensorId}`) ?? position,
      label,
      worst: worst.get(sensorId),
      state,
    });
  }
  for (const { cameraId, position } of layout.data?.cameras ?? []) {
    const c = siteCameras.find((x) => x.cameraId === cameraId);
    markers.push({
      kind: 'camera',
      id: cameraId,
      position: moved.get(`camera:${cameraId}`) ?? position,
      label: c?.name ?? '',
      worst: worst.get(cameraId),
    });
  }

  const save = async (kind: 'sensor' | 'camera', id: string, p: CameraPosition | null) => {
    setMoved((m) => {
      const next = new Map(m);
      if (p) next.set(`${kind}:${id}`, p);
      else next.delete(`${kind}:${id}`);
      return next;
    });
    // Saves of one device go out one after another: quick key presses must land in their order.
    const key = `${kind}:${id}`;
    const run = (saving.current.get(key) ?? Promise.resolve()).then(async () => {
      try {
        if (kind === 'sensor') {
          if (p) await mutate('PUT /sensors/:sensorId/position', { params: { sensorId: id }, body: p });
          else await mutate('DELETE /sensors/:sensorId/position', { params: { sensorId: id } });
        } else if (p) await mutate('PUT /cameras/:cameraId/position', { params: { cameraId: id }, body: p });
        else await mutate('DELETE /cameras/:cameraId/position', { params: { cameraId: id } });
        setError(null);
      } catch (err) {
        setError(`${t('plan.saveFailed')}: ${apiErrorText(err, t)}`);
      }
    });
    saving.current.set(key, run);
    await run;
    if (saving.current.get(key) === run) {
      saving.current.delete(key);
      layout.reload();
    }
  };

  return (
    <div className="plan-view" data-plan-site={site ?? ''}>
      <div className="plan-main">
        <div className="toolbar" role="toolbar" aria-label={t('plan.title')}>
          <label>
            {t('plan.site')}{' '}
            <select value={site ?? ''} onChange={(e) => onSite(e.target.value)} data-plan-select>
              {sites.map((s) => (
                <option key={s.siteId} value={s.siteId}>
                  {siteName(s, s.siteId, i18n.language)}
                </option>
              ))}
            </select>
          </label>
          {canEdit && (
            <button type="button" aria-pressed={editing} onClick={() => setEditing(!editing)} data-plan-edit>
              ✎ {editing ? t('plan.doneEditing') : t('plan.edit')}
            </button>
          )}
          <span className="muted">{editing ? t('plan.editHint') : t('plan.viewHint')}</span>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!plan && !editing && <p className="muted">{t('plan.noPlan')}</p>}
        <PlanCanvas
          box={box}
          imageUrl={imageUrl}
          markers={markers}
          editing={editing}
          selected={selected}
          onSelect={setSelected}
          onActivate={(m) => (m.kind === 'sensor' ? onTrend(m.id) : setVideo(m.id))}
          onMove={(m, p) => void save(m.kind, m.id, p)}
        />
      </div>
      <aside className="plan-side">
        {editing && site ? (
          <PlanEditor
            siteId={site}
            plan={plan}
            layout={layout.data}
            sensors={sensorList.map((s) => s.sensorId)}
            cameras={siteCameras.map((c) => c.cameraId)}
            selected={selected}
            markers={markers}
            onSelect={setSelected}
            onSave={save}
            onPlanChanged={layout.reload}
          />
        ) : video ? (
          <section className="plan-video" aria-label={t('plan.video')} data-plan-video={video}>
            <header className="panel-head">
              <h3>{video}</h3>
              <button type="button" onClick={() => setVideo(null)}>
                ✕ {t('dialog.close')}
              </button>
            </header>
            <VideoTile cameraId={video} />
          </section>
        ) : (
          <PlanLegend />
        )}
      </aside>
    </div>
  );
}

function PlanLegend() {
  const { t } = useTranslation();
  return (
    <section aria-label={t('plan.legend')}>
      <h3>{t('plan.legend')}</h3>
      <ul className="legend">
        {([1, 2, 3, 4] as const).map((p) => (
          <li key={p} className={`p${p}`}>
            {t(`priority.${p}`)}
          </li>
        ))}
        <li className="ok">{t('plan.normal')}</li>
      </ul>
      <p className="muted">{t('plan.viewHint')}</p>
    </section>
  );
}
