/**
 * The alarm list, always on screen: filters, horn, actions with keyboard shortcuts
 * (A ack, S shelve, U unshelve, R reset, C comment, ↑/↓ move, Enter details, Esc close).
 */
import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { type AlarmActionBody, type AlarmActionName, alarmAction } from '../api/http.js';
import { isAlarm } from '../live/decode.js';
import { useLive, useLiveStore } from '../live/LiveProvider.js';
import { ActionDialog, type DialogKind } from './ActionDialog.js';
import { AlarmDetail } from './AlarmDetail.js';
import { AlarmRow } from './AlarmRow.js';
import { allowedActions, emptyFilter, FILTER_STATES, FILTER_TYPES, toneNeeded, visibleAlarms } from './logic.js';
import { useTone } from './useTone.js';

const typing = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/** Rows rendered at once; in a flood the rest are counted, not drawn (the top is what matters). */
const MAX_ROWS = 300;

const NO_ACTIONS = { ack: false, shelve: false, unshelve: false, reset: false };

/** `canAct` is false for the viewer role: it sees and hears alarms but cannot act on them. */
export function AlarmPanel({ canAct, view }: { canAct: boolean; view?: string }) {
  const { t, i18n } = useTranslation();
  const store = useLiveStore();
  const alarmsMap = useLive((s) => s.alarms);
  const { sites } = useCatalog();
  const [filter, setFilter] = useState(emptyFilter);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<DialogKind | null>(null);
  const [detailId, setDetailId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useMemo(() => visibleAlarms(alarmsMap.values(), filter), [alarmsMap, filter]);
  const tone = useTone(useMemo(() => toneNeeded(alarmsMap.values()), [alarmsMap]));
  const selected: Alarm | undefined = list.find((a) => a.id === selectedId) ?? list[0];
  // The drawer belongs to the screen it was opened on: another view closes it (issue 21).
  // biome-ignore lint/correctness/useExhaustiveDependencies: view is the trigger
  useEffect(() => setDetailId(null), [view]);

  const act = useCallback(
    async <A extends AlarmActionName>(a: Alarm, action: A, body = {} as AlarmActionBody<A>) => {
      try {
        const res = await alarmAction(a.id, action, body);
        // The server also emits the change on /live; applying the response makes the click feel instant.
        if (isAlarm(res)) store.dispatch({ kind: 'alarm', alarm: res });
        setError(null);
      } catch (err) {
        setError(`${t(`actions.${action}`)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    [store, t],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog || e.defaultPrevented || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      // Letter shortcuts work from anywhere on the console; Enter belongs to whatever has focus
      // (a tree item, a map marker) unless that is the alarm list itself or nothing.
      const inList = e.target === document.body || (e.target instanceof Element && !!e.target.closest('.alarm-list'));
      const idx = selected ? list.indexOf(selected) : -1;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (key === 'ArrowDown' || key === 'ArrowUp') {
        const next = list[Math.max(0, Math.min(list.length - 1, idx + (key === 'ArrowDown' ? 1 : -1)))];
        if (next) setSelectedId(next.id);
        e.preventDefault();
        return;
      }
      if (key === 'Escape') setDetailId(null);
      if (!selected) return;
      const can = canAct ? allowedActions(selected) : NO_ACTIONS;
      if (key === 'a' && can.ack) void act(selected, 'ack');
      else if (key === 's' && can.shelve) setDialog('shelve');
      else if (key === 'u' && can.unshelve) void act(selected, 'unshelve');
      else if (key === 'r' && can.reset) void act(selected, 'reset');
      else if (key === 'c' && canAct) setDialog('comment');
      else if (key === 'Enter' && inList) setDetailId(selected.id);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list, selected, dialog, act, canAct]);

  const can = selected && canAct ? allowedActions(selected) : null;
  const set = (k: keyof typeof filter) => (e: React.ChangeEvent<HTMLSelectElement>) =>
    setFilter({ ...filter, [k]: e.target.value });

  return (
    <section className="alarm-panel" data-tone={tone.on ? 'on' : 'off'} aria-label={t('alarms.title')}>
      <header className="panel-head">
        <h2>
          {t('alarms.title')} <span className="count">{alarmsMap.size}</span>
        </h2>
        <button
          type="button"
          className={`tone-btn${tone.on ? ' sounding' : ''}`}
          aria-pressed={tone.muted}
          onClick={() => tone.setMuted(!tone.muted)}
        >
          {tone.muted ? `♪✕ ${t('alarms.unmute')}` : `♪ ${t('alarms.mute')}`}
        </button>
      </header>
      <div className="filters">
        <select aria-label={t('filter.site')} value={filter.siteId} onChange={set('siteId')}>
          <option value="">{t('filter.allSites')}</option>
          {sites.map((s) => (
            <option key={s.siteId} value={s.siteId}>
              {siteName(s, s.siteId, i18n.language)}
            </option>
          ))}
        </select>
        <select aria-label={t('filter.state')} value={filter.state} onChange={set('state')}>
          <option value="">{t('filter.allStates')}</option>
          {FILTER_STATES.map((s) => (
            <option key={s} value={s}>
              {t(`alarmState.${s}`)}
            </option>
          ))}
        </select>
        <select aria-label={t('filter.type')} value={filter.type} onChange={set('type')}>
          <option value="">{t('filter.allTypes')}</option>
          {FILTER_TYPES.map((s) => (
            <option key={s} value={s}>
              {t(`alarmType.${s}`, { defaultValue: s })}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <button type="button" disabled={!can?.ack} onClick={() => selected && act(selected, 'ack')}>
          <kbd>A</kbd> {t('actions.ack')}
        </button>
        <button type="button" disabled={!can?.shelve} onClick={() => setDialog('shelve')}>
          <kbd>S</kbd> {t('actions.shelve')}
        </button>
        <button type="button" disabled={!can?.unshelve} onClick={() => selected && act(selected, 'unshelve')}>
          <kbd>U</kbd> {t('actions.unshelve')}
        </button>
        <button type="button" disabled={!can?.reset} onClick={() => selected && act(selected, 'reset')}>
          <kbd>R</kbd> {t('actions.reset')}
        </button>
        <button type="button" disabled={!selected || !canAct} onClick={() => setDialog('comment')}>
          <kbd>C</kbd> {t('actions.comment')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {list.length === 0 ? (
        <p className="empty">{t('alarms.none')}</p>
      ) : (
        <div className="alarm-list" role="listbox" aria-label={t('alarms.title')}>
          {list.slice(0, MAX_ROWS).map((a) => (
            <AlarmRow key={a.id} alarm={a} selected={a === selected} onSelect={setSelectedId} onOpen={setDetailId} />
          ))}
          {list.length > MAX_ROWS && <p className="muted">{t('alarms.more', { count: list.length - MAX_ROWS })}</p>}
        </div>
      )}
      {dialog && selected && (
        <ActionDialog
          kind={dialog}
          onCancel={() => setDialog(null)}
          onSubmit={(v) => {
            setDialog(null);
            if (dialog === 'shelve') void act(selected, 'shelve', { minutes: v.minutes ?? 60, reason: v.text });
            else void act(selected, 'comment', { text: v.text });
          }}
        />
      )}
      {detailId && <AlarmDetail alarmId={detailId} canAct={canAct} onClose={() => setDetailId(null)} />}
    </section>
  );
}
