import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/useApi.js';
import { useLive } from '../live/LiveProvider.js';
import { SopChecklist } from '../sops/SopChecklist.js';
import { setpointsOf } from '../trends/setpoints.js';
import { TrendChart } from '../trends/TrendChart.js';
import { type Clip, ClipButton } from '../wall/AlarmClip.js';
import { VideoTile } from '../wall/VideoTile.js';
import { AlarmNotifications } from './AlarmNotifications.js';
import { formatTime } from './AlarmRow.js';
import { AnomalyWhy } from './AnomalyWhy.js';
import { alarmText, journalText } from './describe.js';
import { EvidenceActions } from './EvidenceActions.js';

const WINDOW_MS = 10 * 60_000;
const LIVE_CAMERAS = 2;

export function AlarmDetail({ alarmId, canAct, onClose }: { alarmId: string; canAct: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const liveAlarm = useLive((s) => s.alarms.get(alarmId));
  const detail = useApi('/alarms/:alarmId', { params: { alarmId } });
  const clips = useApi('/alarms/:alarmId/clips', { params: { alarmId } });
  const d = detail.data;
  // protocol AlarmDetailResponse: the alarm object with its journal.
  const alarm = liveAlarm ?? d;
  const journal = d?.journal ?? [];
  const clipsShown: Clip[] = clips.data ?? [];
  const lat = alarm?.latency;
  // Every change of the alarm (a transition, an SOP tick on another console) refreshes its journal.
  const version = liveAlarm?.updatedAt;
  const { reload } = detail;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the reload trigger
  useEffect(() => reload(), [version, reload]);
  // The window is fixed per alarm. Computed at each render it changed on every render (any alarm
  // of the province re-renders the panel), the chart was rebuilt each time and its fetch dropped:
  // issue 21, "Value around the alarm" drew nothing.
  const raisedAt = alarm?.raisedAt;
  const span = useMemo(() => {
    if (raisedAt === undefined) return undefined;
    const end = raisedAt + WINDOW_MS;
    return { from: raisedAt - WINDOW_MS, to: Math.min(Date.now(), end), live: Date.now() < end };
  }, [raisedAt]);
  const sensorSite = alarm?.sourceKind === 'sensor' ? alarm.siteId : undefined;
  const sensors = useApi(sensorSite ? '/sensors' : null, { query: { siteId: sensorSite } });
  const sensor = (sensors.data ?? []).find((s) => s.sensorId === alarm?.sourceId);
  const setpoints = useMemo(() => (sensor ? setpointsOf(sensor) : {}), [sensor]);

  const raised = alarm && {
    ...alarm,
    message: alarm.raisedMessage ?? alarm.message,
    facts: alarm.raisedFacts ?? alarm.facts,
  };
  const nowText = alarm && alarmText(alarm, t);
  const raisedText = raised && alarmText(raised, t);

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
            <dt>{t('detail.raised')}</dt>
            <dd data-alarm-raised-text>
              {raisedText} · {formatTime(alarm.raisedAt)}
            </dd>
            {nowText !== raisedText && (
              <>
                <dt>{t('detail.message')}</dt>
                <dd data-alarm-text>{nowText}</dd>
              </>
            )}
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
          {/* Issue 21 part A (evidence bundle, CAP, CSV): <EvidenceActions alarmId={alarmId} /> mounts here. */}
          <SopChecklist alarmId={alarmId} canTick={canAct} version={version} onTicked={reload} />
          {alarm.sourceKind === 'sensor' && span && (
            <>
              <h3>{t('detail.trend')}</h3>
              <TrendChart
                sensorId={alarm.sourceId}
                unit={sensor?.unit ?? ''}
                from={span.from}
                to={span.to}
                // An anomaly's threshold is a score, not a level of this sensor: no line for it.
                setpoints={alarm.anomaly ? setpoints : { low: setpoints.low, high: setpoints.high ?? alarm.threshold }}
                live={span.live}
                height={12}
              />
            </>
          )}
          <h3>{t('detail.cameras')}</h3>
          {alarm.cameras.length === 0 ? (
            <p className="muted">{t('detail.noCameras')}</p>
          ) : (
            <div className="detail-cameras" data-detail-cameras={alarm.cameras.join(' ')}>
              {alarm.cameras.slice(0, LIVE_CAMERAS).map((c) => (
                <VideoTile key={c} cameraId={c} compact />
              ))}
              {alarm.cameras.length > LIVE_CAMERAS && (
                <p className="muted">{alarm.cameras.slice(LIVE_CAMERAS).join(', ')}</p>
              )}
            </div>
          )}
          <h3>{t('detail.clips')}</h3>
          {clipsShown.length === 0 ? (
            <p className="muted">{t('detail.noClips')}</p>
          ) : (
            <ul>
              {clipsShown.map((c, i) => (
                <li key={c.url ?? i}>
                  {c.url ? (
                    <ClipButton
                      alarmId={alarmId}
                      clip={c}
                      label={`${c.cameraId ?? t('detail.clip')} · ${c.contentType?.startsWith('image/') ? t('detail.snapshot') : t('detail.clip')}`}
                    />
                  ) : (
                    `${c.cameraId ?? ''} ${c.state ?? ''}`
                  )}
                </li>
              ))}
            </ul>
          )}
          <AlarmNotifications alarmId={alarmId} version={version} />
          <h3>{t('detail.latency')}</h3>
          {lat ? (
            <table className="grid-table" data-latency>
              <tbody>
                {(['sensorTs', 'receivedAt', 'evaluatedAt', 'emittedAt'] as const).map((k) => (
                  <tr key={k} data-latency-row={k}>
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
        </>
      )}
      {alarm && <EvidenceActions alarmId={alarmId} />}
      <h3>{t('detail.journal')}</h3>
      <ol className="journal">
        {journal.map((j) => (
          <li key={`${j.ts}-${j.action}-${j.facts?.step ?? ''}`} data-journal={j.action}>
            <span className="time">{formatTime(j.ts)}</span> <strong data-action={j.action}>{journalText(j, t)}</strong>{' '}
            {j.actor}
            {j.toState && j.toState !== j.fromState && ` → ${t(`alarmState.${j.toState}`)}`}
            {j.comment && <q>{j.comment}</q>}
          </li>
        ))}
      </ol>
    </aside>
  );
}
