/** Time helpers of the supervisor screens: the browser's local week, and datetime-local fields. Pure. */

/** Monday 00:00 local time of the week holding `ts` (ISO 8601 weeks start on Monday). */
export function weekStart(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d.getTime();
}

/** `YYYY-MM-DDTHH:MM` in local time, for `<input type="datetime-local">`. */
export function toLocalInput(ts: number): string {
  const d = new Date(ts - new Date(ts).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** Epoch ms of a `datetime-local` value, or undefined when empty or invalid. */
export function fromLocalInput(v: string): number | undefined {
  if (!v) return undefined;
  const ts = new Date(v).getTime();
  return Number.isFinite(ts) ? ts : undefined;
}
