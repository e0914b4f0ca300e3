/** The live wall: layout toolbar, camera tree, tiles, saved layouts, tours, full screen, alarm video. */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCatalog } from '../api/catalog.js';
import { AlarmVideo } from './AlarmVideo.js';
import { CAMERA_MIME, CameraTree } from './CameraTree.js';
import {
  loadConfig,
  MAX_GRID,
  nextInTour,
  PRESETS,
  placeCamera,
  resize,
  saveAs,
  saveConfig,
  type WallConfig,
} from './layouts.js';
import { serverWall } from './server-wall.js';
import { VideoTile } from './VideoTile.js';

export function Wall({ username }: { username: string }) {
  const { t } = useTranslation();
  const { cameras } = useCatalog();
  const [cfg, setCfgState] = useState<WallConfig>(() =>
    loadConfig(
      username,
      localStorage,
      cameras.map((c) => c.cameraId),
    ),
  );
  const [touring, setTouring] = useState(false);
  const [name, setName] = useState('');
  const wallRef = useRef<HTMLDivElement>(null);
  const setCfg = (c: WallConfig) => {
    setCfgState(c);
    saveConfig(username, localStorage, c);
    wallSync.current.save(c);
  };
  // Issue 20: the wall lives on the server per user and follows the operator to another console;
  // localStorage only bridges the moment before the server answers (or a center without the route).
  const wallSync = useRef(serverWall((c) => setCfgState(c)));
  useEffect(() => {
    const sync = wallSync.current;
    sync.load();
    return () => sync.flush();
  }, []);

  // First visit before the camera list arrived: fill the empty default grid once it does.
  useEffect(() => {
    if (cameras.length && cfg.current.tiles.every((x) => x === null) && cfg.saved.length === 0) {
      setCfgState((c) => ({
        ...c,
        current: { ...c.current, tiles: c.current.tiles.map((_, i) => cameras[i]?.cameraId ?? null) },
      }));
    }
  }, [cameras, cfg.current.tiles, cfg.saved.length]);

  useEffect(() => {
    if (!touring) return;
    const iv = setInterval(() => {
      setCfgState((c) => {
        const next = nextInTour(c, c.current.name);
        return next ? { ...c, current: next } : c;
      });
    }, Math.max(5, cfg.tour.seconds) * 1000);
    return () => clearInterval(iv);
  }, [touring, cfg.tour.seconds]);

  const cur = cfg.current;
  const pick = (cameraId: string) => {
    const empty = cur.tiles.indexOf(null);
    setCfg({ ...cfg, current: placeCamera(cur, Math.max(empty, 0), cameraId) });
  };
  const toggleTour = (n: string) => {
    const names = cfg.tour.names.includes(n) ? cfg.tour.names.filter((x) => x !== n) : [...cfg.tour.names, n];
    setCfg({ ...cfg, tour: { ...cfg.tour, names } });
  };

  return (
    <div className="wall-view">
      <CameraTree onPick={pick} />
      <div className="wall-main">
        <div className="toolbar" role="toolbar" aria-label={t('wall.layout')}>
          {PRESETS.map((p) => (
            <button
              type="button"
              key={p.key}
              aria-pressed={cur.cols === p.cols && cur.rows === p.rows}
              onClick={() => setCfg({ ...cfg, current: resize(cur, p.cols, p.rows) })}
            >
              {p.key}
            </button>
          ))}
          <label>
            {t('wall.custom')}
            <input
              type="number"
              min={1}
              max={MAX_GRID}
              value={cur.cols}
              aria-label={t('wall.cols')}
              onChange={(e) => setCfg({ ...cfg, current: resize(cur, Number(e.target.value), cur.rows) })}
            />
            ×
            <input
              type="number"
              min={1}
              max={MAX_GRID}
              value={cur.rows}
              aria-label={t('wall.rows')}
              onChange={(e) => setCfg({ ...cfg, current: resize(cur, cur.cols, Number(e.target.value)) })}
            />
          </label>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim()) setCfg(saveAs(cfg, name.trim()));
              setName('');
            }}
          >
            <input placeholder={t('wall.layoutName')} value={name} onChange={(e) => setName(e.target.value)} />
            <button type="submit">{t('wall.save')}</button>
          </form>
          <button type="button" onClick={() => setTouring(!touring)} aria-pressed={touring}>
            {touring ? `■ ${t('wall.stopTour')}` : `▶ ${t('wall.startTour')}`}
          </button>
          <label>
            {t('wall.tourSeconds')}
            <input
              type="number"
              min={5}
              value={cfg.tour.seconds}
              onChange={(e) => setCfg({ ...cfg, tour: { ...cfg.tour, seconds: Number(e.target.value) } })}
            />
          </label>
          <button type="button" onClick={() => wallRef.current?.requestFullscreen()}>
            ⤢ {t('wall.fullscreen')}
          </button>
        </div>
        {cfg.saved.length > 0 && (
          <ul className="saved-layouts">
            {cfg.saved.map((s) => (
              <li key={s.name}>
                <button type="button" aria-pressed={s.name === cur.name} onClick={() => setCfg({ ...cfg, current: s })}>
                  {s.name} ({s.cols}×{s.rows})
                </button>
                <label title={t('wall.inTour')}>
                  <input
                    type="checkbox"
                    checked={cfg.tour.names.includes(s.name)}
                    onChange={() => toggleTour(s.name)}
                  />
                  {t('wall.inTour')}
                </label>
              </li>
            ))}
          </ul>
        )}
        <div className="wall-area" ref={wallRef}>
          <div
            className="wall-grid"
            data-layout={`${cur.cols}x${cur.rows}`}
            style={{
              gridTemplateColumns: `repeat(${cur.cols}, 1fr)`,
              gridTemplateRows: `repeat(${cur.rows}, 1fr)`,
            }}
          >
            {cur.tiles.map((cameraId, i) => (
              // biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the keyboard path is double-click/Enter in the tree
              <div
                // biome-ignore lint/suspicious/noArrayIndexKey: tiles are positions in the grid
                key={i}
                className="tile-slot"
                data-tile={i}
                onDragOver={(e) => {
                  if (e.dataTransfer.types.includes(CAMERA_MIME)) e.preventDefault();
                }}
                onDrop={(e) => {
                  const id = e.dataTransfer.getData(CAMERA_MIME);
                  if (id) setCfg({ ...cfg, current: placeCamera(cur, i, id) });
                }}
              >
                {cameraId ? (
                  <>
                    <VideoTile cameraId={cameraId} />
                    <button
                      type="button"
                      className="tile-clear"
                      aria-label={t('wall.clearTile')}
                      onClick={() => setCfg({ ...cfg, current: placeCamera(cur, i, null) })}
                    >
                      ✕
                    </button>
                  </>
                ) : (
                  <div className="tile-empty">{t('wall.dropHere')}</div>
                )}
              </div>
            ))}
          </div>
          <AlarmVideo />
        </div>
      </div>
    </div>
  );
}
