/**
 * Logs refusals of hostile input (connections, logins, messages) without letting a flood of them
 * flood the log: the first refusal of a kind is logged at once, later ones within `everyMs` are
 * only counted and reported with the next line. The metrics count every one.
 */
import type { Logger } from './logger.js';

export class RefusalLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly everyMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `kind` groups lines (e.g. the refusal reason); `fields` are logged with the line. */
  warn(kind: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    const seen = this.last.get(kind);
    if (seen && t - seen.at < this.everyMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    if (this.last.size > 1000) this.last.clear();
    this.last.set(kind, { at: t, suppressed: 0 });
    this.log.warn(suppressed > 0 ? { ...fields, suppressedSinceLast: suppressed } : fields, msg);
  }
}
