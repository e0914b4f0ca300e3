/**
 * Fire watch per camera (issue 23): GET /api/v1/fire/cameras lists the cameras with their flag and
 * what the video fire detector sees; the checkbox calls PUT /api/v1/cameras/{id}/fire-watch.
 */
import type { FireCameraView } from '@gwanje/protocol/schemas/routes.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { mutate } from '../api/http.js';
import { useApi } from '../api/useApi.js';

export function FireWatchAdmin() {
  const { t, i18n } = useTranslation();
  const { sites } = useCatalog();
  const list = useApi('/fire/cameras');
  const [error, setError] = useState<string>();
  const siteById = new Map(sites.map((s) => [s.siteId, s]));
  const toggle = async (c: FireCameraView) => {
    setError(undefined);
    try {
      await mutate('PUT /cameras/:cameraId/fire-watch', {
        params: { cameraId: c.cameraId },
        body: { enabled: !c.fireWatch },
      });
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const cams = list.data ?? [];
  return (
    <section className="admin-card" data-fire-watch>
      <h2>{t('fire.title')}</h2>
      <p className="muted">{t('fire.hint')}</p>
      {(error ?? list.error) && <p className="error">{error ?? list.error}</p>}
      {cams.length === 0 ? (
        <p className="muted">{t('fire.none')}</p>
      ) : (
        <table className="grid-table">
          <thead>
            <tr>
              <th>{t('fire.camera')}</th>
              <th>{t('fire.site')}</th>
              <th>{t('fire.watch')}</th>
              <th>{t('fire.detector')}</th>
              <th>{t('fire.fire')}</th>
            </tr>
          </thead>
          <tbody>
            {cams.map((c) => (
              <tr key={c.cameraId} data-camera={c.cameraId}>
                <td>{c.cameraId}</td>
                <td>{siteName(siteById.get(c.siteId), c.siteId, i18n.language)}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${t('fire.watch')} ${c.cameraId}`}
                    checked={c.fireWatch}
                    onChange={() => void toggle(c)}
                  />
                </td>
                <td>{t(`fire.${c.detector}`)}</td>
                <td>{c.fire ? `🔥 ${c.score?.toFixed(2) ?? ''}` : c.score !== null ? c.score.toFixed(2) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
