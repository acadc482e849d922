import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

/**
 * Two lanes share the quota: a till's balance update (a customer is standing there) goes before
 * campaign and program-wide traffic, which only ever takes what is left.
 */
export type Lane = 'till' | 'bulk';

/** A bulk request that would wait too long: its job steps aside (deferred) and frees the worker. */
export class QuotaWait extends Error {
  constructor(readonly waitMs: number) {
    super(`Google request quota: next bulk slot in about ${Math.round(waitMs)} ms`);
    this.name = 'QuotaWait';
  }
}

export interface QuotaGovernorOptions {
  /** The issuer whose quota this is (its google_channel row, made by GoogleChannel.ensureRow). */
  issuerId: string;
  /** Google's per-issuer limit for the whole deployment (GOOGLE_REQUESTS_PER_SECOND). */
  requestsPerSecond: number;
  /** A bulk request waits at most this long in this process before its job is deferred. */
  maxBulkWaitMs?: number;
  /** The till lane may book slots this far ahead (beyond that it waits before booking). */
  maxTillAheadMs?: number;
}

interface Waiter {
  lane: Lane;
  since: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * One request quota per issuer: a token bucket in PostgreSQL (the issuer's google_channel row), so
 * any number of processes together stay within Google's requests per second. Each process queues
 * its own callers and books slots for them one statement per request.
 *
 * The bucket holds at most `burst` tokens and refills at `fill` per second, with burst + fill ≤ 90 %
 * of the limit: Google counts requests per second in a sliding window, a full bucket plus a second
 * of refill must still fit in one, and requests reach Google with some jitter after their slot. A till request may book a future slot (tokens below zero: it waits
 * its turn); a bulk request takes only a token that is there now, so it never queues in front of a
 * till. A 429 halves the rate for everyone (at most once a second) and makes the bucket owe the
 * Retry-After pause; every 10 s without one doubles it back up to the limit.
 */
export class QuotaGovernor {
  readonly #burst: number;
  readonly #fill: number;
  readonly #maxBulkWaitMs: number;
  readonly #issuerId: string;
  /** Seconds of slots the till lane may book ahead, at whatever the current rate is. */
  readonly #maxTillAheadSeconds: number;
  readonly #waiters: Record<Lane, Waiter[]> = { till: [], bulk: [] };
  #pumping = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    options: QuotaGovernorOptions,
  ) {
    const limit = options.requestsPerSecond;
    if (!Number.isFinite(limit) || limit <= 0) throw new RangeError('requestsPerSecond must be a positive number');
    this.#burst = Math.max(1, Math.floor(limit / 10));
    // 10 % of the limit is left for jitter: a request booked in its slot may reach Google a little late.
    this.#fill = Math.max(limit * 0.9 - this.#burst, limit / 2);
    this.#maxBulkWaitMs = options.maxBulkWaitMs ?? 1000;
    this.#issuerId = options.issuerId;
    this.#maxTillAheadSeconds = (options.maxTillAheadMs ?? 5000) / 1000;
  }

  /** Resolves when this caller may send one request. A bulk caller may get a QuotaWait instead. */
  acquire(lane: Lane = 'till'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters[lane].push({ lane, since: performance.now(), resolve, reject });
      // A till arriving while bulk callers sleep is served at once.
      this.#wake?.();
      void this.#pump();
    });
  }

  /**
   * Google answered 429: slow everyone down and pause for its Retry-After (or a second). Every
   * request in flight may report the same 429: the rate halves at most once a second, and the pause
   * is a point in time (the bucket owes at most that long), so they do not add up.
   */
  async throttled(retryAfterMs?: number): Promise<void> {
    const pause = Math.max(1000, retryAfterMs ?? 0) / 1000;
    const halved = sql<number>`case when throttled_at is null or throttled_at < clock_timestamp() - interval '1 second'
      then greatest(${this.#fill / 8}::float8, coalesce(rate, ${this.#fill}::float8) / 2) else coalesce(rate, ${this.#fill}::float8) end`;
    await sql`
      update google_channel set
        rate = ${halved},
        throttled_at = case when throttled_at is null or throttled_at < clock_timestamp() - interval '1 second' then clock_timestamp() else throttled_at end,
        tokens = least(least(${this.#burst}::float8, tokens + extract(epoch from clock_timestamp() - refreshed_at)::float8 * coalesce(rate, ${this.#fill}::float8)),
                       -${pause}::float8 * ${halved}),
        refreshed_at = clock_timestamp()
      where issuer_id = ${this.#issuerId}`.execute(this.db);
  }

  /** Requests waiting in this process, per lane. */
  get queued(): Record<Lane, number> {
    return { till: this.#waiters.till.length, bulk: this.#waiters.bulk.length };
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        const lane: Lane | undefined = this.#waiters.till.length ? 'till' : this.#waiters.bulk.length ? 'bulk' : undefined;
        if (!lane) return;
        let booked: { granted: boolean; waitMs: number };
        try {
          booked = await this.#book(lane);
        } catch (err) {
          this.#waiters[lane].shift()!.reject(err);
          continue;
        }
        if (booked.granted) {
          const waiter = this.#waiters[lane].shift()!;
          if (booked.waitMs > 0) setTimeout(waiter.resolve, booked.waitMs);
          else waiter.resolve();
          continue;
        }
        this.#deferLongBulkWaits(booked.waitMs);
        await this.#sleep(booked.waitMs);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Bulk callers that have waited long enough step aside, told roughly when their turn comes. */
  #deferLongBulkWaits(nextSlotMs: number): void {
    const now = performance.now();
    const keep: Waiter[] = [];
    this.#waiters.bulk.forEach((w, position) => {
      if (now - w.since > this.#maxBulkWaitMs) w.reject(new QuotaWait(nextSlotMs + (position * 1000) / this.#fill));
      else keep.push(w);
    });
    this.#waiters.bulk = keep;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(5, Math.min(ms, 1000)));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /**
   * One statement: refill by the time since the last booking, at the current (possibly reduced)
   * rate, then take a token if the lane may. Returns how long the caller must wait for its slot
   * (granted) or until a token is likely there (not granted).
   */
  async #book(lane: Lane): Promise<{ granted: boolean; waitMs: number }> {
    const rate = sql<number>`coalesce(rate, ${this.#fill}::float8)`;
    const available = sql<number>`least(${this.#burst}::float8, tokens + extract(epoch from clock_timestamp() - refreshed_at)::float8 * ${rate})`;
    const floor = lane === 'till' ? sql<number>`-${this.#maxTillAheadSeconds}::float8 * ${rate}` : sql<number>`0::float8`;
    const granted = await sql<{ tokens: number; rate: number }>`
      update google_channel set
        tokens = ${available} - 1,
        refreshed_at = clock_timestamp(),
        -- Recovery: 10 s without a 429 doubles a reduced rate, up to the full one (null).
        rate = case when rate is not null and throttled_at < clock_timestamp() - interval '10 seconds'
                    then nullif(least(${this.#fill}::float8, rate * 2), ${this.#fill}::float8) else rate end,
        throttled_at = case when rate is not null and throttled_at < clock_timestamp() - interval '10 seconds'
                    then clock_timestamp() else throttled_at end
      where issuer_id = ${this.#issuerId} and ${available} - 1 >= ${floor}
      returning tokens, ${rate} as rate`.execute(this.db);
    const row = granted.rows[0];
    if (row) return { granted: true, waitMs: row.tokens < 0 ? (-row.tokens / row.rate) * 1000 : 0 };
    const now = await sql<{ short: number; rate: number }>`
      select ${floor} + 1 - ${available} as short, ${rate} as rate from google_channel where issuer_id = ${this.#issuerId}`.execute(this.db);
    const state = now.rows[0]!;
    return { granted: false, waitMs: (state.short / state.rate) * 1000 };
  }
}
