import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { GoogleChannel } from './google-channel.js';
import { issuerOfId, type GoogleIssuers, type Issuer } from './google-issuers.js';
import type { GoogleWalletApi } from './wallet-api.js';

/** What talks to Google for one issuer: its API client (own token, own quota) and its channel. */
export interface IssuerRuntime {
  issuer: Issuer;
  api: GoogleWalletApi;
  channel: GoogleChannel;
}

/**
 * One runtime per issuer, built on first use and rebuilt when the brand renews its service account,
 * and the rule that picks a card's issuer: the one its object was made under, else its brand's
 * current one (its own, or the deployment's).
 */
export class IssuerRuntimes {
  readonly #built = new Map<string, { version: number; runtime: Promise<IssuerRuntime> }>();

  constructor(
    private readonly db: Db,
    readonly issuers: GoogleIssuers,
    private readonly make: (issuer: Issuer, channel: GoogleChannel) => GoogleWalletApi,
    private readonly pauseMs: number,
  ) {}

  async of(issuerId: string): Promise<IssuerRuntime | undefined> {
    const issuer = await this.issuers.byId(issuerId);
    if (!issuer) return undefined;
    const built = this.#built.get(issuerId);
    if (built && built.version === issuer.version) return built.runtime;
    const runtime = (async () => {
      await GoogleChannel.ensureRow(this.db, issuerId);
      const channel = new GoogleChannel(this.db, this.pauseMs, issuerId);
      return { issuer, channel, api: this.make(issuer, channel) };
    })();
    runtime.catch(() => this.#built.delete(issuerId));
    this.#built.set(issuerId, { version: issuer.version, runtime });
    return runtime;
  }

  /** The issuer a brand's new objects and classes go under, if Google is on for it. */
  async forBrand(brandId: string): Promise<IssuerRuntime | undefined> {
    const issuer = await this.issuers.currentFor(brandId);
    return issuer && this.of(issuer.issuerId);
  }

  /** The card's issuer: its object's, once it has one (objects never move), else its brand's. */
  async forCard(card: { id: string; program_id: string }): Promise<IssuerRuntime | undefined> {
    const row = await sql<{ object_id: string | null; brand_id: string }>`
      select g.object_id, p.brand_id from programs p left join google_objects g on g.card_id = ${card.id}
      where p.id = ${card.program_id}`.execute(this.db);
    const found = row.rows[0];
    if (!found) return undefined;
    return found.object_id ? this.of(issuerOfId(found.object_id)) : this.forBrand(found.brand_id);
  }

  /** Every issuer a program has a class under, and its brand's current one: a class change goes to each. */
  async forProgram(program: { id: string; brand_id: string }): Promise<IssuerRuntime[]> {
    const classes = await this.db.selectFrom('google_classes').select('class_id').where('program_id', '=', program.id).execute();
    const current = await this.issuers.currentFor(program.brand_id);
    const ids = new Set([...(current ? [current.issuerId] : []), ...classes.map((c) => issuerOfId(c.class_id))]);
    const runtimes = await Promise.all([...ids].map((id) => this.of(id)));
    return runtimes.filter((r): r is IssuerRuntime => r !== undefined);
  }
}
