/** The HTTP side of fire watch (routes/fire.ts): the stored flags, and the running detector when there is one. */
import type { FireWatchAdmin } from './routes.js';
import type { FireWatchStore } from './store.js';
import type { FireWatch } from './watch.js';

export function fireHttp(
  store: FireWatchStore,
  watch: FireWatch | undefined,
  now: () => number = Date.now,
): FireWatchAdmin {
  return {
    running: watch !== undefined,
    enabled: () => store.enabled(),
    live: () => watch?.status() ?? [],
    setFireWatch: (cameraId, enabled, by) =>
      watch ? watch.setFireWatch(cameraId, enabled, by) : store.set(cameraId, enabled, by, now()),
  };
}
