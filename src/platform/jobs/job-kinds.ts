/**
 * Every kind of job the service runs, with its payload: the one registry. A capability enqueues
 * `{ kind, payload }` checked against this map, and app/services.ts binds each kind to its handler.
 * The names are stored in the jobs table, so renaming one strands the jobs still waiting under it.
 */
// A type, not an interface: only a type alias satisfies PayloadMap's index signature.
export type JobPayloads = {
  /** A program-wide pass change (terms, design, stores): fanned out to one card job per card. */
  'program.changed': { programId: string };
  /** A card's pass changed: push `{}` to its Apple devices. */
  'apple.card-changed': CardChange;
  /** One Apple push that APNs asked us to retry. */
  /** `topic`: the pass type id the token belongs to (absent in retries queued before brands had their own). */
  'apple.push': { pushToken: string; topic?: string };
  /** A card's pass changed: insert or patch its Google Wallet object. */
  'google.card-changed': CardChange;
  /** Re-drives Google objects that are missing, stale or failed. */
  'google.sweep': Record<string, never>;
  /** The program's Google loyalty class (name, logo, stores) changed. */
  'google.class-sync': { programId: string };
  /** Deliver one campaign, a batch per job run. */
  'campaign.run': { campaignId: string };
  /** Periodic housekeeping; enqueued by PeriodicJobs with the kind as its dedupe key. */
  'ledger.expire-points': Record<string, never>;
  'automations.birthday': Record<string, never>;
  'automations.points-reminder': Record<string, never>;
  'audit.purge': Record<string, never>;
  /** Expired join codes and old abuse counters. */
  'join.purge': Record<string, never>;
};

/** bulk: campaign or program-wide traffic, which yields to a till's change where quotas bind. */
export type CardChange = { cardId: string; bulk?: boolean };

/** A map from job kind to payload: the service's own is JobPayloads; tests may bring their own. */
export type PayloadMap = { [kind: string]: object };

export type JobKind = keyof JobPayloads & string;
export type CardJobKind = { [K in JobKind]: JobPayloads[K] extends { cardId: string } ? K : never }[JobKind];
export type ProgramJobKind = { [K in JobKind]: JobPayloads[K] extends { programId: string } ? K : never }[JobKind];
