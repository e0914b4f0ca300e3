import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { alarmText } from './describe.js';
import { isUnacked, PRIORITY_ICON } from './logic.js';

export function formatTime(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour12: false });
}

/**
 * One row. Memoised (issue 18): a new alarm re-renders its own row, not the hundreds already
 * standing; the callbacks take the alarm id so the panel can pass the same functions every time.
 */
export const AlarmRow = memo(function AlarmRow({
  alarm,
  selected,
  onSelect,
  onOpen,
}: {
  alarm: Alarm;
  selected: boolean;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const { siteById } = useCatalog();
  const unacked = isUnacked(alarm.state);
  return (
    <div
      className={`alarm-row p${alarm.priority}${unacked ? ' unacked' : ''}${selected ? ' selected' : ''}`}
      data-alarm-id={alarm.id}
      data-source={alarm.sourceId}
      data-type={alarm.type}
      data-state={alarm.state}
      role="option"
      tabIndex={-1}
      aria-selected={selected}
      onClick={() => onSelect(alarm.id)}
      onDoubleClick={() => onOpen(alarm.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onOpen(alarm.id);
      }}
    >
      <span className="prio" title={t(`priority.${alarm.priority}`)}>
        <span aria-hidden="true">{PRIORITY_ICON[alarm.priority]}</span> {t(`priority.short.${alarm.priority}`)}
      </span>
      <span className="time">{formatTime(alarm.raisedAt)}</span>
      <span className="site">{siteName(siteById.get(alarm.siteId), alarm.siteId, i18n.language)}</span>
      <span className="what">
        <strong>{t(`alarmType.${alarm.type}`, { defaultValue: alarm.type })}</strong> {alarm.sourceId}
        {alarm.value !== undefined && <span className="value"> {alarm.value}</span>}
        <span className="text"> {alarmText(alarm, t)}</span>
        {alarm.firstOut && <span className="badge first-out">{t('alarms.firstOut')}</span>}
        {alarm.chattering && <span className="badge">{t('alarms.chattering')}</span>}
        {alarm.confirmedOnCamera && (
          <span className="badge on-camera" data-on-camera={alarm.confirmedOnCamera.cameraId}>
            {t('alarms.onCamera')}
          </span>
        )}
      </span>
      <span className={`state state-${alarm.state}`}>{t(`alarmState.${alarm.state}`)}</span>
      <button
        type="button"
        className="link"
        onClick={(e) => {
          e.stopPropagation();
          onOpen(alarm.id);
        }}
      >
        {t('alarms.details')}
      </button>
    </div>
  );
});
