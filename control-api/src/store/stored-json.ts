/**
 * Stored JSON columns decoded once, here in the store (issue 18): the repository that reads a row
 * turns its JSON text columns into typed values with one TypeBox schema each (protocol's where
 * the shape is contract), so routes and modules only ever see typed objects.
 *
 * A column that does not parse or does not match its schema is a store bug or a hand edit, not a
 * client error: the value reads as absent (`undefined`), the row still answers, and the
 * corruption is logged (table, column, row key, reason; never the value, which may hold
 * anything) and counted in `gwanje_stored_json_corrupt_total{table,column}`. A 500 for one bad
 * row would hide every good row of a list.
 */
import { compiled, formatErrors } from '@gwanje/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';

/** Where a corrupt value sits: enough for an operator to find and fix the row. */
export interface StoredJsonPlace {
  table: string;
  column: string;
  /** The row's key (sensorId, cameraId, ...). */
  key: string;
}

export type CorruptListener = (place: StoredJsonPlace, reason: string) => void;

export class StoredJson {
  private listener?: CorruptListener;
  private count = 0;

  constructor(private readonly log?: Logger) {}

  /** The center counts corrupt columns in its metrics; one listener (the store module's). */
  onCorrupt(listener: CorruptListener): void {
    this.listener = listener;
  }

  /** Corrupt values met since start (tests, and a figure for the store's README). */
  corrupt(): number {
    return this.count;
  }

  /**
   * `raw` decoded and checked against `schema`; null/empty is `undefined`, and so is a corrupt
   * value. `cutAt`: the writer cuts the text at this length, so text that long that does not
   * parse was cut, which is expected (absent, not counted).
   */
  decode<T extends TSchema>(
    schema: T,
    raw: string | null | undefined,
    place: StoredJsonPlace,
    cutAt = Number.POSITIVE_INFINITY,
  ): Static<T> | undefined {
    if (raw === null || raw === undefined || raw === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      if (raw.length >= cutAt) return undefined;
      return this.corruptValue(place, `not JSON (${(err as Error).message})`);
    }
    const valid = compiled(schema);
    if (valid(value)) return value as Static<T>;
    return this.corruptValue(place, formatErrors(valid.errors).slice(0, 3).join('; '));
  }

  private corruptValue(place: StoredJsonPlace, reason: string): undefined {
    this.count += 1;
    this.log?.warn({ ...place, reason }, 'store: corrupt JSON column read as absent');
    try {
      this.listener?.(place, reason);
    } catch (err) {
      this.log?.error({ err: (err as Error).message }, 'store: corrupt-column listener failed');
    }
    return undefined;
  }
}

/** JSON text for a column, `null` for an absent value (the decoder's inverse). */
export function encodeJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
