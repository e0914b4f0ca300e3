import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { alarmText } from './describe.js';
import { isUnacked, PRIORITY_ICON } from './logic.js';

export function formatTime(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour12: false });
}

export function AlarmRow({
  alarm,
  selected,
  onSelect,
  onOpen,
}: {
  alarm: Alarm;
  selected: boolean;
  onSelect: () => void;
  onOpen: () => void;
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
      onClick={onSelect}
      onDoubleClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onOpen();
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
          onOpen();
        }}
      >
        {t('alarms.details')}
      </button>
    </div>
  );
}
