/**
 * A small least-recently-used map (insertion order of a `Map` is the recency order).
 *
 * @internal
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>()
  constructor(readonly capacity: number) {}
  get size(): number {
    return this.entries.size
  }
  get(key: K): V | undefined {
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }
  set(key: K, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.entries.delete(oldest.value)
    }
  }
}
