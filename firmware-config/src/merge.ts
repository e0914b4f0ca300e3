/**
 * Template <- overlay merge. Objects merge key by key; arrays of objects that carry an id key
 * (sensorId, cameraId, id) merge item by item on it, so an overlay can tune one sensor of the
 * site template without repeating the list; other arrays are replaced. In an overlay, `null`
 * deletes a key and an array item `{"<idKey>": "...", "$remove": true}` deletes that item.
 */

export const ID_KEYS = ['sensorId', 'cameraId', 'id'] as const;
export const REMOVE_MARK = '$remove';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

function idKeyOf(items: unknown[]): string | undefined {
  if (items.length === 0 || !items.every(isRec)) return undefined;
  return ID_KEYS.find((k) => items.every((it) => typeof (it as Rec)[k] === 'string'));
}

function stripRemoved(items: unknown[]): unknown[] {
  return items.filter((it) => !(isRec(it) && it[REMOVE_MARK] === true)).map((it) => clean(it));
}

/** Removes overlay-only markers (null deletions, $remove items) from a value taken as-is. */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return stripRemoved(value);
  if (!isRec(value)) return value;
  const out: Rec = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = clean(v);
  return out;
}

function mergeArrays(base: unknown[], over: unknown[]): unknown[] {
  const key = idKeyOf([...base, ...over]);
  if (!key) return stripRemoved(over);
  const out = base.map((it) => ({ ...(it as Rec) }));
  for (const item of over as Rec[]) {
    const at = out.findIndex((b) => b[key] === item[key]);
    if (item[REMOVE_MARK] === true) {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = deepMerge(out[at], item) as Rec;
    } else {
      out.push(clean(item) as Rec);
    }
  }
  return out;
}

/** Returns a new value: `base` with `over` merged in (neither input is modified). */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return clean(base);
  if (Array.isArray(base) && Array.isArray(over)) return mergeArrays(base, over);
  if (!isRec(base) || !isRec(over)) return clean(over);
  const out: Rec = {};
  for (const [k, v] of Object.entries(base)) out[k] = clean(v);
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? deepMerge(out[k], v) : clean(v);
  }
  return out;
}

/** Replaces `${name}` in every string of a JSON tree with vars[name]; unknown names are left as-is. */
export function substitute(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z]+)\}/g, (m, name: string) => (name in vars ? vars[name] : m));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (isRec(value)) {
    const out: Rec = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, vars);
    return out;
  }
  return value;
}
