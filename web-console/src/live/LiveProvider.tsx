/** React side of the live store: one provider per session, hooks to read it. */
import { createContext, type ReactNode, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import { LiveConnection } from './connection.js';
import type { LiveState } from './state.js';
import { LiveStore } from './store.js';

const LiveContext = createContext<LiveStore | null>(null);

export function LiveProvider({
  token,
  centers,
  children,
}: {
  token: string;
  /** Issue 19: every center instance; the console moves between them (live/failover.ts). */
  centers?: readonly string[];
  children: ReactNode;
}) {
  const store = useMemo(() => new LiveStore(), []);
  const list = (centers ?? []).join(',');
  useEffect(() => {
    const conn = new LiveConnection(store, token, list ? list.split(',') : []);
    conn.start();
    return () => conn.stop();
  }, [store, token, list]);
  return <LiveContext.Provider value={store}>{children}</LiveContext.Provider>;
}

export function useLiveStore(): LiveStore {
  const s = useContext(LiveContext);
  if (!s) throw new Error('live: useLiveStore outside LiveProvider');
  return s;
}

export function useLive<T>(select: (s: LiveState) => T): T {
  const store = useLiveStore();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}
