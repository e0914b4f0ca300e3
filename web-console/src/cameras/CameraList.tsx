/**
 * The camera list (issue 20): every camera the operator may see with its stream state, where the
 * video comes from (pushed by an edge agent or pulled by the center), frame rate, bit rate, age
 * of the last keyframe and the camera-loss family alarms standing on it. Filter by text, sort by
 * any column (header buttons, aria-sort); rows are one tab stop, Up/Down/Home/End move between them.
 */
import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import { CAMERA_CONDITION_TYPES } from '@gwanje/protocol/video/camera-conditions.js';
import { type KeyboardEvent, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { useLive } from '../live/LiveProvider.js';
import { ageSeconds, type CameraRow, useCameraRows } from './camera-rows.js';

const COLUMNS = ['name', 'site', 'state', 'source', 'fps', 'bitrate', 'keyframe', 'alarms'] as const;
type Column = (typeof COLUMNS)[number];

/** camera-loss and the conditions of the picture (tamper, video loss, frozen, black). */
const isHealthAlarm = (a: Alarm) =>
  a.sourceKind === 'camera' && (a.type === 'camera-loss' || CAMERA_CONDITION_TYPES.has(a.type));

function sortValue(r: CameraRow, col: Column, alarms: number, site: string): string | number {
  const h = r.health;
  switch (col) {
    case 'name':
      return r.name || r.cameraId;
    case 'site':
      return site;
    case 'state':
      return h?.state ?? r.state ?? 'idle';
    case 'source':
      return r.source ?? 'agent';
    case 'fps':
      return h?.fps ?? 0;
    case 'bitrate':
      return h?.bitrateBps ?? 0;
    case 'keyframe':
      return h?.lastKeyframeAt ?? 0;
    case 'alarms':
      return alarms;
  }
}

export function CameraList() {
  const { t, i18n } = useTranslation();
  const { siteById } = useCatalog();
  const { rows, error, at } = useCameraRows(true);
  const standing = useLive((s) => s.alarms);
  const [text, setText] = useState('');
  const [sort, setSort] = useState<{ col: Column; dir: 1 | -1 }>({ col: 'name', dir: 1 });
  const [focused, setFocused] = useState(0);
  const body = useRef<HTMLTableSectionElement>(null);

  const healthAlarms = useMemo(() => {
    const by = new Map<string, Alarm[]>();
    for (const a of standing.values()) if (isHealthAlarm(a)) by.set(a.sourceId, [...(by.get(a.sourceId) ?? []), a]);
    return by;
  }, [standing]);

  const shown = useMemo(() => {
    const q = text.trim().toLowerCase();
    const site = (r: CameraRow) => siteName(siteById.get(r.siteId), r.siteId, i18n.language);
    const list = (rows ?? []).filter(
      (r) => !q || [r.name, r.cameraId, r.siteId, site(r)].some((s) => s?.toLowerCase().includes(q)),
    );
    const key = (r: CameraRow) => sortValue(r, sort.col, healthAlarms.get(r.cameraId)?.length ?? 0, site(r));
    return list.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir;
    });
  }, [rows, text, sort, healthAlarms, siteById, i18n.language]);

  const move = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    const last = shown.length - 1;
    const next =
      e.key === 'ArrowDown'
        ? Math.min(last, focused + 1)
        : e.key === 'ArrowUp'
          ? Math.max(0, focused - 1)
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? last
              : undefined;
    if (next === undefined || next < 0) return;
    e.preventDefault();
    setFocused(next);
    (body.current?.rows[next] as HTMLElement | undefined)?.focus();
  };

  const header = (col: Column) => (
    <th key={col} aria-sort={sort.col === col ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        data-sort={col}
        title={t('cameras.sortBy', { col: t(`cameras.col.${col}`) })}
        onClick={() => setSort((s) => ({ col, dir: s.col === col ? (-s.dir as 1 | -1) : 1 }))}
      >
        {t(`cameras.col.${col}`)}
        {sort.col === col ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );

  return (
    <section className="camera-list" aria-labelledby="camera-list-title">
      <h2 id="camera-list-title">{t('cameras.title')}</h2>
      <input
        type="search"
        value={text}
        placeholder={t('cameras.filter')}
        aria-label={t('cameras.filter')}
        onChange={(e) => {
          setText(e.target.value);
          setFocused(0);
        }}
      />
      <p className="hint">
        {t('cameras.count', { shown: shown.length, total: rows?.length ?? 0 })} · {t('cameras.keys')}
      </p>
      {error && <p role="alert">{t('cameras.loadFailed', { error })}</p>}
      <table>
        <thead>
          <tr>{COLUMNS.map(header)}</tr>
        </thead>
        <tbody ref={body} onKeyDown={move}>
          {shown.map((r, i) => {
            const h = r.health;
            const state = h?.state ?? r.state ?? 'idle';
            const age = ageSeconds(h?.lastKeyframeAt, at);
            const alarms = healthAlarms.get(r.cameraId) ?? [];
            return (
              <tr
                key={r.cameraId}
                data-camera={r.cameraId}
                tabIndex={i === Math.min(focused, shown.length - 1) ? 0 : -1}
                onFocus={() => setFocused(i)}
              >
                <td>
                  {r.name || r.cameraId} <small>{r.cameraId}</small>
                </td>
                <td>{siteName(siteById.get(r.siteId), r.siteId, i18n.language)}</td>
                <td data-state={state}>{t(`cameras.state.${state}`)}</td>
                <td data-source={r.source ?? 'agent'}>{t(`cameras.source.${r.source ?? 'agent'}`)}</td>
                <td>{h ? t('cameras.fps', { v: h.fps.toFixed(1) }) : '–'}</td>
                <td>{h ? t('cameras.kbps', { v: Math.round(h.bitrateBps / 1000) }) : '–'}</td>
                <td>{age === undefined ? t('cameras.never') : t('cameras.ago', { s: age })}</td>
                <td data-alarms={alarms.map((a) => a.type).join(' ')}>
                  {alarms.length === 0
                    ? t('cameras.noAlarm')
                    : alarms.map((a) => (
                        <span key={a.id} className="cam-alarm">
                          {t(`alarmType.${a.type}`, { defaultValue: a.type })}{' '}
                        </span>
                      ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows && shown.length === 0 && <p>{t('cameras.none')}</p>}
    </section>
  );
}
