/** A Map that keeps at most `size` entries, dropping the oldest first. */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly size: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.size && !this.map.has(key)) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
  }

  get length(): number {
    return this.map.size;
  }
}
