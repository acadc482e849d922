import { parseRootSigningKeys, type RootKey } from './callback-verifier.js';

/**
 * Google's root signing keys for callbacks, fetched from the issuer keys URL and kept for an hour
 * (Google rotates them with overlapping validity, announced in the document itself).
 */
export class CallbackKeys {
  #keys: RootKey[] | undefined;
  #fetchedAt = 0;

  constructor(
    private readonly url: string,
    private readonly maxAgeMs = 3_600_000,
  ) {}

  async get(forceRefresh = false): Promise<RootKey[]> {
    if (!forceRefresh && this.#keys && Date.now() - this.#fetchedAt < this.maxAgeMs) return this.#keys;
    const res = await fetch(this.url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`fetching Google's callback signing keys from ${this.url} failed with ${res.status}`);
    this.#keys = parseRootSigningKeys(await res.text());
    this.#fetchedAt = Date.now();
    return this.#keys;
  }
}
