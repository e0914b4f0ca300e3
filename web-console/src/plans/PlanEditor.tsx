/**
 * Site plan editing for admins (issue 21): upload the plan (PNG, JPEG, SVG or a PDF page; the
 * center checks type and size and answers what it refused), place unplaced sensors and cameras,
 * and set the selected camera's field of view by numbers (the same values the keyboard nudges).
 */
import type { CameraPosition, SiteLayout, SitePlanInfo } from '@gwanje/protocol/schemas/plan.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorText } from '../api/errors.js';
import { apiUpload } from '../api/http.js';
import { LinkRadiusForm } from './LinkRadiusForm.js';
import type { PlacedMarker } from './PlanCanvas.js';

export function PlanEditor({
  siteId,
  plan,
  layout,
  sensors,
  cameras,
  selected,
  markers,
  onSelect,
  onSave,
  onPlanChanged,
}: {
  siteId: string;
  plan: SitePlanInfo | null;
  layout: SiteLayout | undefined;
  sensors: string[];
  cameras: string[];
  selected?: string;
  markers: PlacedMarker[];
  onSelect: (key: string) => void;
  onSave: (kind: 'sensor' | 'camera', id: string, p: CameraPosition | null) => Promise<void>;
  onPlanChanged: () => void;
}) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const placed = new Set(markers.map((m) => `${m.kind}:${m.id}`));
  const unplaced = [
    ...sensors.map((id) => ({ kind: 'sensor' as const, id })),
    ...cameras.map((id) => ({ kind: 'camera' as const, id })),
  ].filter((d) => !placed.has(`${d.kind}:${d.id}`));
  const sel = markers.find((m) => `${m.kind}:${m.id}` === selected);

  const upload = async () => {
    if (!file) return;
    setStatus(t('plan.uploading'));
    try {
      const q = file.type === 'application/pdf' || file.name.toLowerCase().endsWith('.pdf') ? `?page=${page}` : '';
      const info = await apiUpload<SitePlanInfo>(`/sites/${encodeURIComponent(siteId)}/plan${q}`, file);
      setStatus(t('plan.uploaded', { width: info.width, height: info.height }));
      onPlanChanged();
    } catch (err) {
      setStatus(`${t('plan.uploadFailed')}: ${apiErrorText(err, t)}`);
    }
  };
  const place = (kind: 'sensor' | 'camera', id: string) => {
    // Each new device on its own spot along the top, so none hides another before it is moved.
    const n = markers.length;
    const at = { x: 0.1 + 0.1 * (n % 9), y: 0.1 + 0.1 * (Math.floor(n / 9) % 9) };
    const p: CameraPosition = kind === 'camera' ? { ...at, direction: 180, fov: 60, range: 0.3 } : at;
    void onSave(kind, id, p).then(() => onSelect(`${kind}:${id}`));
  };

  return (
    <div className="plan-editor" data-plan-editor={siteId}>
      <section aria-label={t('plan.upload')}>
        <h3>{t('plan.upload')}</h3>
        <p className="muted">
          {plan ? t('plan.current', { width: plan.width, height: plan.height, by: plan.updatedBy }) : t('plan.noPlan')}
        </p>
        <div className="row">
          <input
            type="file"
            accept="image/png,image/jpeg,image/svg+xml,application/pdf,.png,.jpg,.jpeg,.svg,.pdf"
            aria-label={t('plan.file')}
            data-plan-file
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          <label>
            {t('plan.pdfPage')}{' '}
            <input
              type="number"
              min={1}
              value={page}
              onChange={(e) => setPage(Math.max(1, Number(e.target.value) || 1))}
            />
          </label>
          <button type="button" disabled={!file} onClick={() => void upload()} data-plan-upload>
            {t('plan.uploadButton')}
          </button>
        </div>
        {status && (
          <p role="status" data-plan-status>
            {status}
          </p>
        )}
      </section>
      <section aria-label={t('plan.unplaced')}>
        <h3>{t('plan.unplaced')}</h3>
        {unplaced.length === 0 ? (
          <p className="muted">{t('plan.allPlaced')}</p>
        ) : (
          <ul className="plan-unplaced">
            {unplaced.map((d) => (
              <li key={`${d.kind}:${d.id}`}>
                <button type="button" onClick={() => place(d.kind, d.id)} data-plan-place={d.id}>
                  ＋ {t(`plan.kind.${d.kind}`)} {d.id}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label={t('plan.selected')}>
        <h3>{t('plan.selected')}</h3>
        {sel ? (
          <DeviceForm key={`${sel.kind}:${sel.id}:${JSON.stringify(sel.position)}`} marker={sel} onSave={onSave} />
        ) : (
          <p className="muted">{t('plan.pickHint')}</p>
        )}
        <p className="muted">{t('plan.keysHint')}</p>
        {layout && <p className="muted">{t('plan.radiusHint', { radius: Math.round(layout.linkRadius * 100) })}</p>}
      </section>
      {layout && (
        <section aria-label={t('plan.radius.title')}>
          <h3>{t('plan.radius.title')}</h3>
          <LinkRadiusForm key={layout.siteId} layout={layout} onSaved={onPlanChanged} />
        </section>
      )}
    </div>
  );
}

const FIELDS = ['x', 'y', 'direction', 'fov', 'range'] as const;

function DeviceForm({
  marker,
  onSave,
}: {
  marker: PlacedMarker;
  onSave: (kind: 'sensor' | 'camera', id: string, p: CameraPosition | null) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [v, setV] = useState<Record<string, string>>(() =>
    Object.fromEntries(FIELDS.map((f) => [f, marker.position[f] === undefined ? '' : String(marker.position[f])])),
  );
  // A sensor's zone on the plan: a PTZ camera with a preset of that name turns to it on its alarm.
  const [zone, setZone] = useState(marker.position.zone ?? '');
  const fields = marker.kind === 'camera' ? FIELDS : FIELDS.slice(0, 2);
  const submit = () => {
    const p: Record<string, number | string> = {};
    for (const f of fields) if (v[f] !== '') p[f] = Number(v[f]);
    if (marker.kind === 'sensor' && zone.trim()) p.zone = zone.trim();
    void onSave(marker.kind, marker.id, p as unknown as CameraPosition);
  };
  return (
    <form
      className="stack"
      data-plan-form={marker.id}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <strong>
        {t(`plan.kind.${marker.kind}`)} {marker.id}
      </strong>
      {fields.map((f) => (
        <label key={f}>
          {t(`plan.field.${f}`)}{' '}
          <input type="number" step="any" name={f} value={v[f]} onChange={(e) => setV({ ...v, [f]: e.target.value })} />
        </label>
      ))}
      {marker.kind === 'sensor' && (
        <label>
          {t('plan.field.zone')}{' '}
          <input type="text" name="zone" maxLength={60} value={zone} onChange={(e) => setZone(e.target.value)} />
        </label>
      )}
      {marker.kind === 'sensor' && <p className="muted">{t('plan.zoneHint')}</p>}
      <div className="row">
        <button type="submit">{t('plan.save')}</button>
        <button type="button" onClick={() => void onSave(marker.kind, marker.id, null)}>
          {t('plan.remove')}
        </button>
      </div>
    </form>
  );
}
