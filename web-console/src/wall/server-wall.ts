/**
 * The wall on the server (issue 20, `GET`/`PUT /api/v1/me/wall`): loaded once when the wall opens
 * (a stored wall replaces the local one), saved 800 ms after the last change so dragging cameras
 * around sends one request, flushed when the wall closes. A failed save is logged and retried with
 * the next change; the local copy keeps the operator's work meanwhile.
 */
import type { WallView } from '@gwanje/protocol/schemas/http.js';
import { api, mutate } from '../api/http.js';
import type { WallConfig } from './layouts.js';

export function serverWall(onLoaded: (c: WallConfig) => void, delayMs = 800) {
  let pending: WallConfig | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let changedLocally = false;
  const send = () => {
    timer = undefined;
    const c = pending;
    pending = undefined;
    if (c)
      mutate('PUT /me/wall', { body: c }).catch((err: unknown) => console.warn('wall: not saved on the server', err));
  };
  return {
    load(): void {
      api<WallView>('GET', '/me/wall')
        .then((v) => {
          // A change made before the answer came is newer than what the server holds.
          if (v.config && !changedLocally) onLoaded(v.config);
        })
        .catch((err: unknown) => console.warn('wall: server copy not loaded, using this browser’s', err));
    },
    save(c: WallConfig): void {
      changedLocally = true;
      pending = c;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(send, delayMs);
    },
    flush(): void {
      if (timer !== undefined) clearTimeout(timer);
      send();
    },
  };
}
