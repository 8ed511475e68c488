/**
 * A small LRU map whose entries also expire at a given time. Used to remember verified JWTs:
 * bounded, so a flood of distinct tokens costs at most `maxEntries` slots; expiring, so a cached
 * principal never outlives its token. Relies on Map's insertion order for recency.
 */
export class TtlLru<V> {
  private readonly items = new Map<string, { value: V; notBefore: number; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The value if present and `nowMs` is within [notBefore, expiresAt); refreshes its recency. */
  get(key: string, nowMs: number): V | undefined {
    const hit = this.items.get(key);
    if (hit === undefined) return undefined;
    if (nowMs >= hit.expiresAt) {
      this.items.delete(key);
      return undefined;
    }
    if (nowMs < hit.notBefore) return undefined; // a clock moved backwards: verify again
    this.items.delete(key);
    this.items.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V, notBefore: number, expiresAt: number): void {
    if (this.maxEntries <= 0) return;
    this.items.delete(key);
    if (this.items.size >= this.maxEntries) {
      const oldest = this.items.keys().next();
      if (oldest.done !== true) this.items.delete(oldest.value);
    }
    this.items.set(key, { value, notBefore, expiresAt });
  }

  get size(): number {
    return this.items.size;
  }
}
