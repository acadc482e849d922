import { parseRootSigningKeys, type RootKey } from './callback-verifier.js';

/**
 * Google's root signing keys for callbacks, fetched from the issuer keys URL and kept for an hour
 * (Google rotates them with overlapping validity, announced in the document itself).
 *
 * A callback whose signature our keys cannot verify asks for a forced refetch (the keys may have
 * rotated). Anyone can post callbacks, so forced refetches are limited to one per `minRefreshMs`
 * (counted from the last attempt, failed ones included) and callers arriving while a fetch is under
 * way share it: a flood of forged callbacks costs Google's key server one request a minute.
 */
export class CallbackKeys {
  #keys: RootKey[] | undefined;
  #fetchedAt = 0;
  #attemptedAt = -Infinity;
  #inFlight: Promise<RootKey[]> | undefined;

  constructor(
    private readonly url: string,
    private readonly maxAgeMs = 3_600_000,
    private readonly minRefreshMs = 60_000,
  ) {}

  async get(forceRefresh = false): Promise<RootKey[]> {
    if (this.#inFlight) return this.#inFlight;
    const now = Date.now();
    if (this.#keys && now - this.#fetchedAt < this.maxAgeMs && (!forceRefresh || now - this.#attemptedAt < this.minRefreshMs)) return this.#keys;
    this.#attemptedAt = now;
    this.#inFlight = this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<RootKey[]> {
    const res = await fetch(this.url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`fetching Google's callback signing keys from ${this.url} failed with ${res.status}`);
    this.#keys = parseRootSigningKeys(await res.text());
    this.#fetchedAt = Date.now();
    return this.#keys;
  }
}
