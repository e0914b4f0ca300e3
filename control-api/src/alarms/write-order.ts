/**
 * The order of an alarm's persist-then-emit work (alarms/service.ts): one alarm's changes go out
 * in order without blocking others, and a new alarm of a condition (source, type, advisory) is
 * stored after the previous one of that condition closed. Work with nothing before it starts at
 * once, synchronously up to its first await (issue 18: a raise is announced in the reading's own
 * turn, not after the rest of the MQTT batch and the microtasks queued before it).
 */
export class WriteOrder {
  private readonly byAlarm = new Map<string, Promise<void>>();
  private readonly byCondition = new Map<string, Promise<void>>();

  /** The alarm's work still running, if any (an action or a read waits for it). */
  pending(alarmId: string): Promise<void> | undefined {
    return this.byAlarm.get(alarmId);
  }

  /** Resolves when every piece of work so far has settled. */
  async idle(): Promise<void> {
    while (this.byAlarm.size > 0) await Promise.allSettled([...this.byAlarm.values()]);
  }

  /**
   * Runs `work` after the alarm's and the condition's earlier work. The entry is in place before
   * `work` starts, so a listener that asks for this alarm while it is announced waits for its write.
   * A failure goes to `failed` and never blocks what comes next.
   */
  run(alarmId: string, condition: string, work: () => Promise<void>, failed: (err: Error) => void): void {
    const before = [this.byAlarm.get(alarmId), this.byCondition.get(condition)].filter((p) => p !== undefined);
    let settle = () => {};
    const next = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.byAlarm.set(alarmId, next);
    this.byCondition.set(condition, next);
    void next.finally(() => {
      if (this.byAlarm.get(alarmId) === next) this.byAlarm.delete(alarmId);
      if (this.byCondition.get(condition) === next) this.byCondition.delete(condition);
    });
    (before.length === 0 ? work() : Promise.all(before).then(work)).then(settle, (err: Error) => {
      failed(err);
      settle();
    });
  }
}
