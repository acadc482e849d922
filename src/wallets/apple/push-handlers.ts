import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/log/logger.js';
import { recordWalletEvents } from '../../analytics/wallet-events.js';
import { enqueueJobs } from '../../platform/jobs/job-queue.js';
import { JobError, type JobHandler } from '../../platform/jobs/job-runner.js';
import { classifyApnsResult, PUSH_TOKEN, type ApnsResult } from './apns/apns-client.js';
import type { ApnsHealth } from './apns-health.js';
import type { PushTarget, RegistrationService } from './registration-service.js';

export interface PushSender {
  send(pushToken: string, topic: string): Promise<ApnsResult>;
}

/** A BadDeviceToken is pushed again this much later before the device is believed gone. */
const RECHECK_MS = 60_000;
const MIN_RETRY_MS = 1_000;

type Outcome = 'delivered' | 'gone' | 'retry' | 'recheck' | 'refused';

/**
 * Turns "card changed" jobs into APNs pushes to every device registered for the card. All of a
 * batch's pushes go out at once over one multiplexed HTTP/2 session. The failure policy:
 * - 429/5xx/network: the push becomes its own job, due when APNs' retry-after says (≥ 1 s);
 * - 403 ExpiredProviderToken: retried with a renewed JWT; other 403s and 4xx: the job is kept as
 *   failed and the channel reported unhealthy (a certificate, key or topic problem);
 * - 410: the device is deleted, unless it registered again after APNs' timestamp;
 * - BadDeviceToken: pushed again a minute later and deleted only while APNs delivers most other
 *   pushes; when most pushes answer it, the channel pauses, nothing is deleted, and it is logged;
 * - a token the client refuses to send is an unregistration, not a retry.
 */
export class ApplePushHandlers {
  constructor(
    private readonly db: Db,
    private readonly registrations: RegistrationService,
    private readonly apns: PushSender,
    /** The topic of a retry queued before pushes carried theirs: the deployment's pass type id. */
    private readonly defaultTopic: string,
    private readonly health: ApnsHealth,
    private readonly logger: Logger,
  ) {}

  /**
   * The runner starts a whole batch of jobs at once; their token lookups are gathered into one
   * query per turn of the event loop instead of one query per job (measured: 2× the pushes/s).
   */
  #pending: { cardId: string; resolve: (tokens: PushTarget[]) => void; reject: (err: unknown) => void }[] = [];

  #tokensFor(cardId: string): Promise<PushTarget[]> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => void this.#flushLookups());
      this.#pending.push({ cardId, resolve, reject });
    });
  }

  async #flushLookups(): Promise<void> {
    const waiting = this.#pending;
    this.#pending = [];
    try {
      const tokens = await this.registrations.pushTokensForCards([...new Set(waiting.map((w) => w.cardId))]);
      for (const w of waiting) w.resolve(tokens.get(w.cardId) ?? []);
    } catch (err) {
      for (const w of waiting) w.reject(err);
    }
  }

  readonly cardChanged: JobHandler<'apple.card-changed'> = async ({ payload: { cardId } }) => {
    this.#refuseWhilePaused();
    const tokens = await this.#tokensFor(cardId);
    const later: (PushTarget & { runAt: Date })[] = [];
    const refusals: string[] = [];
    const outcomes: Outcome[] = [];
    await Promise.all(
      tokens.map(async (target) => {
        const { outcome, result } = await this.#push(target, { source: cardId });
        outcomes.push(outcome);
        if (outcome === 'retry') later.push({ ...target, runAt: new Date(Date.now() + Math.max(MIN_RETRY_MS, result.retryAfterMs ?? 0)) });
        if (outcome === 'recheck') later.push({ ...target, runAt: new Date(Date.now() + Math.max(RECHECK_MS, this.health.pausedForMs())) });
        if (outcome === 'refused') refusals.push(`${result.status} ${result.reason ?? ''}`.trim());
      }),
    );
    // One event per device reached and per device that failed for good (a retry is not yet either).
    for (const [event, n] of [
      ['push_sent', outcomes.filter((o) => o === 'delivered').length],
      ['push_failed', outcomes.filter((o) => o === 'gone' || o === 'refused').length],
    ] as const)
      await recordWalletEvents(this.db, 'apple', event, Array<string>(n).fill(cardId));
    if (later.length)
      await enqueueJobs(
        this.db,
        later.map(({ pushToken, topic, runAt }) => ({ kind: 'apple.push', dedupeKey: pushToken, payload: { pushToken, topic }, runAt })),
      );
    // A voided pass (an erased customer) has had its last push: its devices are forgotten now
    // (retries above go by token), so nothing of the person's phones stays.
    if (tokens.some((t) => t.voided)) await this.registrations.forgetCards(this.db, [cardId]);
    // Kept as a failed job with APNs' answer, for whoever fixes the certificate or topic.
    if (refusals.length) throw new JobError(`APNs refused the push: ${[...new Set(refusals)].join(', ')}`, { permanent: true });
  };

  readonly retryPush: JobHandler<'apple.push'> = async ({ payload: { pushToken, topic } }) => {
    this.#refuseWhilePaused();
    const { outcome, result } = await this.#push({ pushToken, topic: topic ?? this.defaultTopic }, { source: pushToken, recheck: true });
    if (outcome === 'retry') throw new JobError('APNs asked to retry', { retryAfterMs: Math.max(MIN_RETRY_MS, result.retryAfterMs ?? 0) });
    if (outcome === 'recheck')
      throw new JobError('APNs said BadDeviceToken while most pushes fail: kept', { retryAfterMs: Math.max(RECHECK_MS, this.health.pausedForMs()) });
    if (outcome === 'refused') throw new JobError(`APNs refused the push: ${result.status} ${result.reason ?? ''}`, { permanent: true });
  };

  #refuseWhilePaused(): void {
    if (this.health.paused()) throw new JobError('APNs channel paused (BadDeviceToken burst)', { retryAfterMs: this.health.pausedForMs() });
  }

  /**
   * `source`: the pass (card) pushed for, so a burst is told from one pass's bad tokens; `recheck`:
   * this token answered BadDeviceToken before, and now its answer may remove it.
   */
  async #push({ pushToken: token, topic }: PushTarget, options: { source: string; recheck?: boolean }): Promise<{ outcome: Outcome; result: ApnsResult }> {
    if (!PUSH_TOKEN.test(token)) {
      // A token the client will never send (stored before the pattern was shared): as good as unregistered.
      await this.registrations.forgetPushToken(token);
      this.logger.warn('push token the APNs client refuses: device removed');
      return { outcome: 'gone', result: { status: 0, reason: 'InvalidToken' } };
    }
    const result = await this.apns.send(token, topic);
    const classified = classifyApnsResult(result);
    switch (classified) {
      case 'delivered':
        this.health.delivered();
        return { outcome: 'delivered', result };
      case 'retry':
        this.health.failed();
        if (result.status !== 0) this.logger.info({ status: result.status, reason: result.reason, retryAfterMs: result.retryAfterMs }, 'APNs asked to retry');
        else this.logger.warn({ reason: result.reason }, 'APNs request failed');
        return { outcome: 'retry', result };
      case 'unregister': {
        this.health.failed();
        const forgotten = await this.registrations.forgetPushToken(token, result.timestamp === undefined ? undefined : new Date(result.timestamp));
        this.logger.info(
          { status: result.status, reason: result.reason, removed: forgotten },
          forgotten ? 'APNs says the device is gone: removed' : 'APNs says gone, but the device registered again since: kept',
        );
        return { outcome: 'gone', result };
      }
      case 'badToken': {
        const burst = this.health.badToken(options.source);
        if (options.recheck && !burst && this.health.trustsBadToken()) {
          await this.registrations.forgetPushToken(token);
          this.logger.info({ status: result.status, reason: result.reason }, 'APNs says the token is bad, again, while delivering others: device removed');
          return { outcome: 'gone', result };
        }
        return { outcome: 'recheck', result };
      }
      case 'fatal':
        this.health.refused(`${result.status} ${result.reason ?? ''}`.trim());
        this.logger.error({ status: result.status, reason: result.reason }, 'APNs refused the push: check the certificate or key and the topic');
        return { outcome: 'refused', result };
    }
  }
}
