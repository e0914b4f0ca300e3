/**
 * The recorded clip of an alarm, once the gateway has written it (GET /api/v1/alarms/{id}/clips).
 * Polls every 3 s for two minutes; stops at once if the center has no clips endpoint (404).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, currentToken } from '../api/http.js';

export interface Clip {
  cameraId?: string;
  url?: string;
  state?: string;
  /** video/mp4, or image/jpeg for the snapshot taken when the alarm was raised. */
  contentType?: string;
}

const POLL_MS = 3000;
const MAX_POLLS = 40;

export const clipList = (v: unknown): Clip[] =>
  Array.isArray(v) ? v : ((v as { clips?: Clip[] } | null)?.clips ?? []);

/** Clip URLs are served like video: the token rides in the query (a link cannot carry a header). */
export const clipHref = (url: string): string =>
  url.startsWith('/video/')
    ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(currentToken() ?? '')}`
    : url;

export function AlarmClip({ alarmId }: { alarmId: string }) {
  const { t } = useTranslation();
  const [clips, setClips] = useState<Clip[]>([]);
  useEffect(() => {
    let polls = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let live = true;
    const poll = async () => {
      polls += 1;
      try {
        const ready = clipList(await api<unknown>('GET', `/alarms/${encodeURIComponent(alarmId)}/clips`)).filter(
          (c) => c.url,
        );
        if (!live) return;
        setClips(ready);
        if (ready.length > 0) return;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return;
        console.warn(`wall: clips of ${alarmId}`, err);
      }
      if (live && polls < MAX_POLLS) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [alarmId]);
  if (clips.length === 0) return null;
  return (
    <span className="alarm-clips">
      {clips.map((c) => (
        <a key={c.url} href={clipHref(c.url ?? '')} target="_blank" rel="noreferrer" data-clip={c.cameraId}>
          ▶ {t('detail.clip')} {c.cameraId ?? ''}
        </a>
      ))}
    </span>
  );
}
