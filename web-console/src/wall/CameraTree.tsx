/** Site → camera tree; cameras are dragged into wall tiles (dataTransfer 'text/x-gwanje-camera'). */
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { useLive } from '../live/LiveProvider.js';

export const CAMERA_MIME = 'text/x-gwanje-camera';

export function CameraTree({ onPick }: { onPick: (cameraId: string) => void }) {
  const { t, i18n } = useTranslation();
  const { sites, cameras } = useCatalog();
  const liveCams = useLive((s) => s.cameras);
  return (
    <nav className="camera-tree" aria-label={t('wall.cameras')}>
      <h3>{t('wall.cameras')}</h3>
      {cameras.length === 0 && <p className="muted">{t('wall.noCameras')}</p>}
      {sites
        .filter((s) => cameras.some((c) => c.siteId === s.siteId))
        .map((s) => (
          <details key={s.siteId} open={sites.length <= 8}>
            <summary>{siteName(s, s.siteId, i18n.language)}</summary>
            <ul>
              {cameras
                .filter((c) => c.siteId === s.siteId)
                .map((c) => {
                  const st = liveCams.get(c.cameraId)?.state ?? c.state ?? 'idle';
                  return (
                    <li key={c.cameraId}>
                      <button
                        type="button"
                        className="tree-camera"
                        draggable
                        data-tree-camera={c.cameraId}
                        onDragStart={(e) => {
                          e.dataTransfer.setData(CAMERA_MIME, c.cameraId);
                          e.dataTransfer.effectAllowed = 'copy';
                        }}
                        onDoubleClick={() => onPick(c.cameraId)}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter') {
                            e.preventDefault();
                            onPick(c.cameraId);
                          }
                        }}
                        title={t('wall.dragHint')}
                      >
                        <span className={`dot state-${st}`} aria-hidden="true" /> {c.name}{' '}
                        <span className="muted">({t(`video.${st}`)})</span>
                      </button>
                    </li>
                  );
                })}
            </ul>
          </details>
        ))}
    </nav>
  );
}
