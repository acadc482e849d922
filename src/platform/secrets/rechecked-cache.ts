/**
 * Credentials loaded from a row (opened with SECRETS_KEY, parsed, checked) are kept, but another
 * process may renew them: after `recheckMs` the row's updated_at is read again, and only a changed
 * row is loaded anew. A load that fails is forgotten, so the next call tries again.
 */
export class RecheckedCache<R extends { updated_at: Date }, V> {
  readonly #entries = new Map<string, { at: number; updatedAt: number; value: Promise<V> }>();

  constructor(
    private readonly fetchRow: (key: string) => Promise<R | undefined>,
    private readonly load: (row: R) => Promise<V>,
    private readonly recheckMs = 30_000,
  ) {}

  async get(key: string): Promise<V | undefined> {
    const cached = this.#entries.get(key);
    if (cached && Date.now() - cached.at < this.recheckMs) return cached.value;
    const row = await this.fetchRow(key);
    if (!row) {
      this.#entries.delete(key);
      return undefined;
    }
    if (cached && cached.updatedAt === row.updated_at.getTime()) {
      cached.at = Date.now();
      return cached.value;
    }
    const value = this.load(row);
    value.catch(() => this.#entries.delete(key));
    this.#entries.set(key, { at: Date.now(), updatedAt: row.updated_at.getTime(), value });
    return value;
  }

  /** This process changed the row: the next get loads it. */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}
