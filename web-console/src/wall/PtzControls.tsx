/**
 * PTZ on a live tile (issue 20): hold an arrow (pointer or keyboard) to pan, tilt or zoom, release
 * to stop; list the camera's presets and go to one. Everything goes through
 * `POST /api/v1/cameras/{id}/ptz` (operators of the camera's site; the center audits each command).
 * A continuous move carries a timeout, so a lost `stop` (tab closed mid-move) cannot leave the
 * camera turning.
 */

import type { PtzBody } from '@gwanje/protocol/schemas/bodies.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mutate } from '../api/http.js';

type Move = { pan?: number; tilt?: number; zoom?: number };

const MOVES: Array<{ key: string; label: string; move: Move; arrow?: string }> = [
  { key: 'up', label: '▲', move: { tilt: 0.5 }, arrow: 'ArrowUp' },
  { key: 'left', label: '◀', move: { pan: -0.5 }, arrow: 'ArrowLeft' },
  { key: 'right', label: '▶', move: { pan: 0.5 }, arrow: 'ArrowRight' },
  { key: 'down', label: '▼', move: { tilt: -0.5 }, arrow: 'ArrowDown' },
  { key: 'zoomIn', label: '+', move: { zoom: 0.5 } },
  { key: 'zoomOut', label: '−', move: { zoom: -0.5 } },
];

export function PtzControls({ cameraId }: { cameraId: string }) {
  const { t } = useTranslation();
  const [presets, setPresets] = useState<Array<{ token: string; name: string }>>();
  const [error, setError] = useState<string>();
  const send = (body: PtzBody) =>
    mutate('POST /cameras/:cameraId/ptz', { params: { cameraId }, body }).then(
      (r) => {
        setError(undefined);
        return r;
      },
      (err: unknown) => {
        setError(t('ptz.failed', { reason: err instanceof Error ? err.message : String(err) }));
        return undefined;
      },
    );
  const move = (m: Move) => void send({ action: 'move', ...m, timeoutMs: 10_000 });
  const stop = () => void send({ action: 'stop' });
  const loadPresets = async () => {
    const r = await send({ action: 'preset', list: true });
    setPresets(r?.result?.presets ?? []);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a toolbar of PTZ buttons, not a form field group
    <div className="ptz" role="group" aria-label={t('ptz.title')} data-ptz={cameraId}>
      {MOVES.map((b) => (
        <button
          type="button"
          key={b.key}
          className={`ptz-${b.key}`}
          aria-label={t(`ptz.${b.key}`)}
          title={t(`ptz.${b.key}`)}
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture?.(e.pointerId);
            move(b.move);
          }}
          onPointerUp={stop}
          onPointerCancel={stop}
          onKeyDown={(e) => {
            // Space/Enter held on the button, or the arrow keys anywhere in the group.
            if (e.repeat) return;
            if (e.key === ' ' || e.key === 'Enter') {
              e.preventDefault();
              move(b.move);
            }
          }}
          onKeyUp={(e) => {
            if (e.key === ' ' || e.key === 'Enter') stop();
          }}
        >
          {b.label}
        </button>
      ))}
      <button
        type="button"
        className="ptz-arrows"
        aria-label={t('ptz.arrows')}
        title={t('ptz.arrows')}
        onKeyDown={(e) => {
          const b = MOVES.find((x) => x.arrow === e.key);
          if (!b || e.repeat) return;
          e.preventDefault();
          move(b.move);
        }}
        onKeyUp={(e) => {
          if (MOVES.some((x) => x.arrow === e.key)) stop();
        }}
      >
        ⌨
      </button>
      <button type="button" onClick={() => void loadPresets()}>
        {t('ptz.presets')}
      </button>
      {presets && (
        <select
          aria-label={t('ptz.goto')}
          defaultValue=""
          onChange={(e) => {
            if (e.target.value) void send({ action: 'preset', preset: e.target.value });
          }}
        >
          <option value="" disabled>
            {presets.length ? t('ptz.goto') : t('ptz.noPresets')}
          </option>
          {presets.map((p) => (
            <option key={p.token} value={p.token}>
              {p.name || p.token}
            </option>
          ))}
        </select>
      )}
      {error && (
        <span className="ptz-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
