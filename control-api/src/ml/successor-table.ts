/**
 * SuccessorTable: which symbols have followed each context, in fixed memory (pure). A context is
 * a non-zero 32-bit key; its successors are a bit set (up to 32 symbols). Two generations of
 * open-addressing tables, [key, successors] side by side so one probe reads both: updates go into
 * the current generation; when it is half full the older generation is dropped and the current
 * one becomes the older. A context or a transition is known while it is in either generation,
 * so what has not been seen for about two generations is forgotten (memory stays 2 x slots x
 * 8 bytes, and "normal" follows a slow drift). A hash collision makes an unseen context look
 * known, which only makes the detector quieter.
 */
export class SuccessorTable {
  private current: Int32Array;
  private older: Int32Array;
  private count = 0;
  private readonly mask: number;

  /** `slots` per generation, a power of two (each generation holds at most slots / 2 contexts). */
  constructor(readonly slots: number) {
    if (slots < 16 || (slots & (slots - 1)) !== 0) throw new Error('ml: table slots must be a power of two >= 16');
    this.current = new Int32Array(slots * 2);
    this.older = new Int32Array(slots * 2);
    this.mask = slots - 1;
  }

  /** 0: the context is unknown; 1: known, but never followed by `symbol`; 2: followed by it before. */
  check(key: number, symbol: number): 0 | 1 | 2 {
    const bit = 1 << symbol;
    const home = this.home(key);
    const a = find(this.current, key, home, this.mask);
    if (a >= 0 && this.current[a + 1] & bit) return 2;
    const b = find(this.older, key, home, this.mask);
    if (b >= 0 && this.older[b + 1] & bit) return 2;
    return a >= 0 || b >= 0 ? 1 : 0;
  }

  /** Successors of the context in either generation, as a bit set (0 for an unknown context). */
  successors(key: number): number {
    const home = this.home(key);
    const a = find(this.current, key, home, this.mask);
    const b = find(this.older, key, home, this.mask);
    return (a >= 0 ? this.current[a + 1] : 0) | (b >= 0 ? this.older[b + 1] : 0);
  }

  /** Records that `symbol` followed the context. */
  record(key: number, symbol: number): void {
    const wrap = this.mask * 2 + 1;
    let t = this.current;
    let i = this.home(key);
    while (t[i] !== 0 && t[i] !== key) i = (i + 2) & wrap;
    if (t[i] === 0) {
      if (this.count >= this.slots >> 1) {
        const recycled = this.older;
        recycled.fill(0);
        this.older = this.current;
        this.current = recycled;
        this.count = 0;
        t = recycled;
        i = this.home(key);
      }
      t[i] = key;
      this.count++;
    }
    t[i + 1] |= 1 << symbol;
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.current.byteLength + this.older.byteLength;
  }

  private home(key: number): number {
    return ((Math.imul(key, 0x9e3779b1) >>> 0) & this.mask) * 2;
  }
}

/** Index of the key's [key, successors] pair, or -1. */
function find(t: Int32Array, key: number, home: number, mask: number): number {
  const wrap = mask * 2 + 1;
  let i = home;
  while (t[i] !== 0) {
    if (t[i] === key) return i;
    i = (i + 2) & wrap;
  }
  return -1;
}
