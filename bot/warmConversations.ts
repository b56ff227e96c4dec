/**
 * The conversations this process wrote last, kept in memory with the eTag of that write, so the next
 * turn of a conversation reads only the stored eTag and, when it is still the one written here, skips
 * decrypting and parsing the stored state. Whenever the store holds something newer (another instance,
 * a restart, a deletion) the eTags differ and the stored state is read as before: the store stays the
 * truth, this is only a shortcut to it.
 *
 * Bounded: at most `max` conversations (the least recently used go first), and one idle longer than
 * `idleMs` is dropped when next looked at or when room is needed.
 */
export interface WarmEntry<T> {
  eTag: string;
  value: T;
}

export class WarmConversations<T> {
  private readonly entries = new Map<string, WarmEntry<T> & { at: number }>();

  constructor(
    private readonly options: { max: number; idleMs: number; now: () => number },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): WarmEntry<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    const now = this.options.now();
    if (now - entry.at > this.options.idleMs) return undefined;
    // Most recently used last: Map keeps insertion order.
    entry.at = now;
    this.entries.set(key, entry);
    return { eTag: entry.eTag, value: entry.value };
  }

  set(key: string, eTag: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { eTag, value, at: this.options.now() });
    this.trim();
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private trim(): void {
    const now = this.options.now();
    for (const [key, entry] of this.entries) {
      const over = this.entries.size > this.options.max;
      if (!over && now - entry.at <= this.options.idleMs) break;
      this.entries.delete(key);
    }
  }
}
