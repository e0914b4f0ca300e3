/**
 * LiveStore: the reducer state behind useSyncExternalStore, plus a side channel for readings
 * (hundreds per second province-wide: they go to per-sensor listeners and a last-value map,
 * not through React state).
 */
import type { LiveReading } from '@gwanje/protocol/socket';
import { initialLiveState, type LiveMessage, type LiveState, reduceLive } from './state.js';

type Listener = () => void;
type ReadingListener = (r: LiveReading) => void;

export class LiveStore {
  private state: LiveState = initialLiveState;
  private readonly listeners = new Set<Listener>();
  private readonly readingListeners = new Map<string, Set<ReadingListener>>();
  readonly lastReadings = new Map<string, LiveReading>();

  getState = (): LiveState => this.state;

  subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  dispatch(m: LiveMessage): void {
    const next = reduceLive(this.state, m);
    if (next === this.state) return;
    this.state = next;
    for (const fn of this.listeners) {
      try {
        fn();
      } catch (err) {
        console.error('live: store listener failed', err);
      }
    }
  }

  pushReading(r: LiveReading): void {
    this.lastReadings.set(r.sensorId, r);
    const set = this.readingListeners.get(r.sensorId);
    if (!set) return;
    for (const fn of set) {
      try {
        fn(r);
      } catch (err) {
        console.error('live: reading listener failed', err);
      }
    }
  }

  onReading(sensorId: string, fn: ReadingListener): () => void {
    let set = this.readingListeners.get(sensorId);
    if (!set) {
      set = new Set();
      this.readingListeners.set(sensorId, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }
}
