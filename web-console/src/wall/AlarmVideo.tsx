/**
 * Alarm-driven video: cameras linked to new priority 1-2 alarms, in their own strip so the
 * operator's chosen layout is never rearranged (issue 7).
 */
import { useTranslation } from 'react-i18next';
import { isUnacked } from '../alarms/logic.js';
import { useLive, useLiveStore } from '../live/LiveProvider.js';
import { AlarmClip } from './AlarmClip.js';
import { VideoTile } from './VideoTile.js';

export function AlarmVideo() {
  const { t } = useTranslation();
  const store = useLiveStore();
  const ids = useLive((s) => s.alarmVideo);
  const alarms = useLive((s) => s.alarms);
  const shown = ids.map((id) => alarms.get(id)).filter((a) => a !== undefined);
  if (shown.length === 0) return null;
  return (
    <section className="alarm-video" aria-label={t('wall.alarmVideo')}>
      <h3>
        ▲ {t('wall.alarmVideo')} ({shown.length})
      </h3>
      <div className="alarm-video-tiles">
        {shown.map((a) => (
          <div key={a.id} className={`alarm-video-item p${a.priority}`} data-alarm-video={a.id}>
            <div className="alarm-video-head">
              <strong>{t(`alarmType.${a.type}`, { defaultValue: a.type })}</strong> {a.sourceId}{' '}
              {isUnacked(a.state) ? t(`alarmState.${a.state}`) : ''}
              <AlarmClip alarmId={a.id} />
              <button type="button" onClick={() => store.dispatch({ kind: 'dismiss-video', alarmId: a.id })}>
                ✕ {t('wall.dismiss')}
              </button>
            </div>
            {a.cameras.slice(0, 2).map((c) => (
              <VideoTile key={c} cameraId={c} compact />
            ))}
          </div>
        ))}
      </div>
    </section>
  );
}
