import type { Logger } from '../../platform/log/logger.js';

const HOUR_MS = 3_600_000;
/**
 * Recent outcomes looked at for a BadDeviceToken burst: a burst is most of them, on at least BURST
 * different passes, so one customer registering made-up tokens cannot pause everyone's pushes.
 */
const WINDOW = 40;
const BURST = 10;
export const PAUSE_MS = 10 * 60_000;

export type ApnsState = 'ok' | 'failing' | 'paused';

/**
 * What this process has seen of APNs: failed pushes in the last hour, the last refusal that
 * retrying cannot fix (403: certificate, key, topic), and a pause when most recent pushes answer
 * BadDeviceToken, which is what a wrong environment or certificate looks like: then no device is
 * deleted, pushes wait, and the error is logged once.
 */
export class ApnsHealth {
  #failures: number[] = [];
  /** Recent outcomes: the pass of a BadDeviceToken, or null for a delivery. */
  #recent: (string | null)[] = [];
  #fatal: { reason: string; at: number } | undefined;
  #pausedUntil = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  delivered(): void {
    this.#note(null);
    this.#fatal = undefined;
  }

  failed(): void {
    this.#failures.push(this.now());
  }

  refused(reason: string): void {
    this.failed();
    this.#fatal = { reason, at: this.now() };
  }

  /**
   * A BadDeviceToken answer for a pass (`source`: its card, or the token of a re-check); true when
   * it is part of a burst (the channel is then paused).
   */
  badToken(source: string): boolean {
    this.failed();
    this.#note(source);
    if (this.paused()) return true;
    const bad = this.#recent.filter((r) => r !== null) as string[];
    if (bad.length * 2 > this.#recent.length && new Set(bad).size >= BURST) {
      this.#pausedUntil = this.now() + PAUSE_MS;
      this.#recent = [];
      this.logger.error(
        { pausedForMs: PAUSE_MS },
        'APNs answers BadDeviceToken for most pushes: pushes are paused and no device is deleted (is APNS_URL the production host, and the certificate the Pass Type ID one?)',
      );
      return true;
    }
    return false;
  }

  /**
   * Whether a BadDeviceToken can be believed: APNs is delivering most other pushes just now. In a
   * wrong environment every token is "bad", and deleting them would lose every device for good.
   */
  trustsBadToken(): boolean {
    const bad = this.#recent.filter((r) => r !== null).length;
    return !this.paused() && bad * 2 < this.#recent.length;
  }

  paused(): boolean {
    return this.now() < this.#pausedUntil;
  }

  pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - this.now());
  }

  state(): ApnsState {
    if (this.paused()) return 'paused';
    return this.#fatal ? 'failing' : 'ok';
  }

  report() {
    const since = this.now() - HOUR_MS;
    this.#failures = this.#failures.filter((t) => t >= since);
    return {
      state: this.state(),
      failedPushesLastHour: this.#failures.length,
      ...(this.#fatal && { lastRefusal: this.#fatal.reason }),
      ...(this.paused() && { pausedForSeconds: Math.ceil(this.pausedForMs() / 1000) }),
    };
  }

  #note(outcome: string | null): void {
    this.#recent.push(outcome);
    if (this.#recent.length > WINDOW) this.#recent.shift();
  }
}
