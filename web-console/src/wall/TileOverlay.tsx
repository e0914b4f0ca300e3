/**
 * What a tile says over its picture (issue 20): the PTZ preset the center recalled for a standing
 * alarm (live `camera:preset`: which preset, for which alarm and sensor), and on demand the
 * stream's figures from the center (frame rate, bit rate, age of the last keyframe), toggled by a
 * button so an operator can keep the picture clean. Both texts go through i18n (ko, en).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ageSeconds, useCameraRows } from '../cameras/camera-rows.js';
import { useLive } from '../live/LiveProvider.js';

/** `compact` (the alarm video strip): the preset line only, no figures toggle. */
export function TileOverlay({ cameraId, compact }: { cameraId: string; compact?: boolean }) {
  const { t } = useTranslation();
  const [showStats, setShowStats] = useState(false);
  const recall = useLive((s) => s.presets.get(cameraId));
  // Shown while the alarm that asked for it stands (ISA-18.2: until it is closed).
  const standing = useLive((s) => (recall ? s.alarms.has(recall.alarmId) : false));
  return (
    <div className="tile-overlay">
      {recall && standing && (
        <div className="tile-preset" data-preset={recall.preset} data-alarm={recall.alarmId} role="status">
          {t('cameras.preset', {
            preset: recall.preset,
            alarm: t(`alarmType.${recall.alarmType}`, { defaultValue: recall.alarmType }),
            sensor: recall.sourceId,
          })}
        </div>
      )}
      {!compact && (
        <button
          type="button"
          className="tile-stats-toggle"
          aria-pressed={showStats}
          aria-label={t(showStats ? 'cameras.hideStats' : 'cameras.showStats')}
          title={t(showStats ? 'cameras.hideStats' : 'cameras.showStats')}
          onClick={() => setShowStats((v) => !v)}
        >
          ⓘ
        </button>
      )}
      {showStats && !compact && <TileStats cameraId={cameraId} />}
    </div>
  );
}

function TileStats({ cameraId }: { cameraId: string }) {
  const { t } = useTranslation();
  const { rows, at } = useCameraRows(true);
  const h = rows?.find((r) => r.cameraId === cameraId)?.health;
  const age = ageSeconds(h?.lastKeyframeAt, at);
  return (
    <dl className="tile-stats" aria-label={t('cameras.stats')} data-stats={cameraId}>
      <dt>{t('cameras.col.fps')}</dt>
      <dd data-fps>{t('cameras.fps', { v: h ? h.fps.toFixed(1) : '–' })}</dd>
      <dt>{t('cameras.col.bitrate')}</dt>
      <dd data-bitrate>{t('cameras.kbps', { v: h ? Math.round(h.bitrateBps / 1000) : '–' })}</dd>
      <dt>{t('cameras.col.keyframe')}</dt>
      <dd data-keyframe>
        {age === undefined ? t('cameras.never') : t('cameras.keyframe', { ago: t('cameras.ago', { s: age }) })}
      </dd>
    </dl>
  );
}
