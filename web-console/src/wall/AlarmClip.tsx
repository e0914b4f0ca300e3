/**
 * The recorded clip of an alarm, once the gateway has written it (GET /api/v1/alarms/{id}/clips).
 * Polls every 3 s for two minutes; stops at once if the center has no clips endpoint (404).
 * A clip opens in a new tab through a 60 s ticket for that clip alone (F6): the API token never
 * goes into a link, the browser history or a proxy log.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api/http.js';
import { clipUrl } from '../api/tickets.js';

export interface Clip {
  clipId?: string;
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

/**
 * Opens the clip in a new tab. The tab is opened before the ticket is fetched (inside the click,
 * so no popup blocker objects), then sent to the clip; it gets no handle on the console (opener).
 */
export async function openClip(alarmId: string, clipId: string): Promise<void> {
  const tab = window.open('', '_blank');
  if (tab) tab.opener = null;
  try {
    const url = await clipUrl(alarmId, clipId);
    if (tab) tab.location.replace(url);
    else window.location.assign(url);
  } catch (err) {
    tab?.close();
    console.warn(`clips: ${alarmId}/${clipId}`, err);
  }
}

/** A button per clip (links would need a URL, and a URL would need a credential). */
export function ClipButton({ alarmId, clip, label }: { alarmId: string; clip: Clip; label: string }) {
  if (!clip.clipId) return <span className="muted">{label}</span>;
  const clipId = clip.clipId;
  return (
    <button type="button" className="link" data-clip={clip.cameraId} onClick={() => void openClip(alarmId, clipId)}>
      ▶ {label}
    </button>
  );
}

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
        <ClipButton key={c.url} alarmId={alarmId} clip={c} label={`${t('detail.clip')} ${c.cameraId ?? ''}`} />
      ))}
    </span>
  );
}
