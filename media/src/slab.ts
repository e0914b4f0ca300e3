/**
 * A bump allocator over 256 KiB slabs. Each Buffer.allocUnsafe above 4 KiB is its own ArrayBuffer,
 * which V8 tracks one by one and counts as external memory; a relay that made one per read, per
 * FU-A NAL unit and per muxed frame paid for it in garbage collections (about one mark-compact a
 * second at 8 streams). Regions handed out are never handed out again: a slab is freed by the
 * garbage collector once nothing refers to any part of it, so callers may keep what they get.
 */
const SLAB_BYTES = 256 * 1024;

export class Slab {
  private buf = Buffer.allocUnsafe(SLAB_BYTES);
  private off = 0;

  /** Room for a read of unknown size, at least `minRoom` bytes; give back what was used with take(). */
  next(minRoom = 64 * 1024): Buffer {
    if (minRoom > SLAB_BYTES / 2) return Buffer.allocUnsafe(minRoom);
    if (SLAB_BYTES - this.off < minRoom) {
      this.buf = Buffer.allocUnsafe(SLAB_BYTES);
      this.off = 0;
    }
    return this.buf.subarray(this.off);
  }

  /** The first `n` bytes of a region next() gave are the caller's from now on. */
  take(region: Buffer, n: number): Buffer {
    if (region.buffer === this.buf.buffer) this.off += n;
    return region.subarray(0, n);
  }

  /** `n` bytes, uninitialised. */
  alloc(n: number): Buffer {
    return this.take(this.next(n), n);
  }
}
