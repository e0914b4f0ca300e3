/** Alarm detail drawer: journal, latency journal, value trend around the alarm, clip links. */
import type { Alarm, JournalEntry } from '@gwanje/protocol/schemas/alarm.js';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/useApi.js';
import { isAlarm } from '../live/decode.js';
import { useLive } from '../live/LiveProvider.js';
import { TrendChart } from '../trends/TrendChart.js';
import { type Clip, ClipButton, clipList } from '../wall/AlarmClip.js';
import { formatTime } from './AlarmRow.js';
import { AnomalyWhy } from './AnomalyWhy.js';
import { alarmText, journalText } from './describe.js';

/** GET /api/v1/alarms/{id}: the alarm with its journal (either nested as {alarm, journal} or flat). */
type DetailResponse = (Alarm & { journal?: JournalEntry[] }) | { alarm: Alarm; journal?: JournalEntry[] };

const WINDOW_MS = 10 * 60_000;

export function AlarmDetail({ alarmId, onClose }: { alarmId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const liveAlarm = useLive((s) => s.alarms.get(alarmId));
  const detail = useApi<DetailResponse>(`/alarms/${encodeURIComponent(alarmId)}`);
  const clips = useApi<unknown>(`/alarms/${encodeURIComponent(alarmId)}/clips`);
  const d = detail.data;
  const fetched = d && 'alarm' in d && isAlarm(d.alarm) ? d.alarm : isAlarm(d) ? d : undefined;
  const alarm = liveAlarm ?? fetched;
  const journal = d?.journal ?? [];
  const clipsShown: Clip[] = clipList(clips.data ?? null);
  const lat = alarm?.latency;

  return (
    <aside className="drawer" aria-label={t('detail.title')} data-alarm-detail={alarmId}>
      <header className="panel-head">
        <h2>{t('detail.title')}</h2>
        <button type="button" onClick={onClose}>
          ✕ {t('dialog.close')}
        </button>
      </header>
      {detail.error && !alarm && <p className="error">{detail.error}</p>}
      {alarm && (
        <>
          <dl className="facts">
            <dt>{t('detail.source')}</dt>
            <dd>{alarm.sourceId}</dd>
            <dt>{t('detail.type')}</dt>
            <dd>{t(`alarmType.${alarm.type}`, { defaultValue: alarm.type })}</dd>
            <dt>{t('detail.priority')}</dt>
            <dd>{t(`priority.${alarm.priority}`)}</dd>
            <dt>{t('detail.state')}</dt>
            <dd>{t(`alarmState.${alarm.state}`)}</dd>
            <dt>{t('detail.value')}</dt>
            <dd>
              {alarm.value ?? '—'} / {alarm.threshold ?? '—'}
            </dd>
            <dt>{t('detail.message')}</dt>
            <dd data-alarm-text>{alarmText(alarm, t)}</dd>
            {alarm.confirmedOnCamera && (
              <>
                <dt>{t('detail.onCamera')}</dt>
                <dd data-on-camera={alarm.confirmedOnCamera.cameraId}>
                  {t(alarm.confirmedOnCamera.cue === 'smoke' ? 'detail.onCameraSmoke' : 'detail.onCameraValue', {
                    cameraId: alarm.confirmedOnCamera.cameraId,
                    score: alarm.confirmedOnCamera.score.toFixed(2),
                    time: formatTime(alarm.confirmedOnCamera.at),
                  })}
                </dd>
              </>
            )}
          </dl>
          {alarm.anomaly && <AnomalyWhy why={alarm.anomaly} />}
          <h3>{t('detail.latency')}</h3>
          {lat ? (
            <table className="grid-table">
              <tbody>
                {(['sensorTs', 'receivedAt', 'evaluatedAt', 'emittedAt'] as const).map((k) => (
                  <tr key={k}>
                    <th>{t(`latency.${k}`)}</th>
                    <td>{lat[k] ? formatTime(lat[k]) : '—'}</td>
                    <td>{lat[k] && lat.sensorTs ? `+${lat[k] - lat.sensorTs} ms` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{t('detail.noLatency')}</p>
          )}
          {alarm.sourceKind === 'sensor' && (
            <>
              <h3>{t('detail.trend')}</h3>
              <TrendChart
                sensorId={alarm.sourceId}
                unit=""
                from={alarm.raisedAt - WINDOW_MS}
                to={Math.min(Date.now(), alarm.raisedAt + WINDOW_MS)}
                // An anomaly's threshold is a score, not a level of this sensor: no line for it.
                setpoints={alarm.anomaly ? {} : { high: alarm.threshold }}
                live={false}
                height={12}
              />
            </>
          )}
          <h3>{t('detail.clips')}</h3>
          {clipsShown.length === 0 ? (
            <p className="muted">{t('detail.noClips')}</p>
          ) : (
            <ul>
              {clipsShown.map((c, i) => (
                <li key={c.url ?? i}>
                  {c.url ? (
                    <ClipButton alarmId={alarmId} clip={c} label={c.cameraId ?? t('detail.clip')} />
                  ) : (
                    `${c.cameraId ?? ''} ${c.state ?? ''}`
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <h3>{t('detail.journal')}</h3>
      <ol className="journal">
        {journal.map((j) => (
          <li key={`${j.ts}-${j.action}`}>
            <span className="time">{formatTime(j.ts)}</span> <strong data-action={j.action}>{journalText(j, t)}</strong>{' '}
            {j.actor}
            {j.toState && ` → ${t(`alarmState.${j.toState}`)}`}
            {j.comment && <q>{j.comment}</q>}
          </li>
        ))}
      </ol>
    </aside>
  );
}
