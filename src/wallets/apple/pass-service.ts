import path from 'node:path';
import type { Db } from '../../platform/db/database.js';
import type { Card, Customer, Program } from '../../platform/db/schema.js';
import { createPassPackager, loadPassTemplate, type PassPackager, type PassTemplate } from './pkpass/pass-packager.js';
import type { SigningIdentity } from './pkpass/signing-identity.js';
import type { AppleIdentities, LoadedIdentity } from './apple-identities.js';
import { buildPassJson } from './pass-content.js';
import { openSubscriptionsForPass } from '../../engagement/restock/restock-service.js';
import { AppError } from '../../platform/shared/errors.js';

export interface BuiltPass {
  /**
   * The .pkpass as chunks: the first holds the template's images, shared by every pass of the
   * design; the rest (~4 KB) is this card's. Caching thousands of passes costs kilobytes each.
   */
  parts: Buffer[];
  size: number;
  card: Card;
  program: Program;
}

/**
 * Builds signed .pkpass files and keeps the latest bytes of recently requested cards, keyed by the
 * card's pass version: after a campaign every phone fetches at once, and each card is built once.
 * A pass is signed with the identity of its pass type id, which a card gets with its first pass (its
 * brand's current identity) and keeps.
 */
export class PassService {
  readonly #templates = new Map<string, Promise<PassTemplate>>();
  /** Packagers per signing identity (a renewed certificate is a new identity) and design. */
  readonly #packagers = new WeakMap<SigningIdentity, Map<string, PassPackager>>();
  readonly #cache = new Map<string, { version: number; signing: SigningIdentity; pass: BuiltPass }>();

  constructor(
    private readonly db: Db,
    private readonly identities: AppleIdentities,
    private readonly templatesDir: string,
    private readonly webServiceURL: string,
    private readonly publicUrl: string,
    private readonly cacheSize = 10_000,
  ) {}

  /** The identity a card's pass is signed with; undefined when its pass type id is no longer known. */
  async identityOf(card: Card): Promise<LoadedIdentity | undefined> {
    if (card.apple_pass_type_id) return this.identities.byPassType(card.apple_pass_type_id);
    return undefined;
  }

  async findCardBySerial(serial: string): Promise<Card | undefined> {
    return this.db.selectFrom('cards').selectAll().where('serial_number', '=', serial).executeTakeFirst();
  }

  async findCardByLinkToken(token: string): Promise<Card | undefined> {
    return this.db.selectFrom('cards').selectAll().where('link_token', '=', token).executeTakeFirst();
  }

  /** Days until the deployment's pass certificate and its WWDR intermediate expire (negative: expired). */
  certificateDaysLeft(now = Date.now()): { certificate: number; wwdr: number } {
    const days = (d: Date) => Math.floor((d.getTime() - now) / 86_400_000);
    const signing = this.identities.deployment.signing;
    return { certificate: days(signing.notAfter), wwdr: days(signing.wwdrNotAfter) };
  }

  /** Wallet refuses a pass signed by an expired certificate: say so instead of serving one. */
  #assertCanSign(signing: SigningIdentity): void {
    const now = new Date();
    const expired =
      signing.notAfter < now
        ? `Pass Type ID certificate expired on ${signing.notAfter.toISOString().slice(0, 10)}`
        : signing.wwdrNotAfter < now
          ? `WWDR certificate expired on ${signing.wwdrNotAfter.toISOString().slice(0, 10)}`
          : undefined;
    if (expired) throw new AppError(503, 'Pass signing unavailable', `The ${expired}: renew it (see certs.example/README.md)`);
  }

  /** The current pass of a card (already loaded, e.g. after authenticating the request). */
  async passFor(card: Card): Promise<BuiltPass> {
    const bound = await this.identityOf(card);
    const cached = this.#cache.get(card.id);
    if (bound && cached && cached.version === card.pass_version && cached.signing === bound.signing) {
      this.#assertCanSign(bound.signing);
      // Refresh its place in the LRU order.
      this.#cache.delete(card.id);
      this.#cache.set(card.id, cached);
      return cached.pass;
    }
    const [customer, program] = await Promise.all([
      this.db.selectFrom('customers').selectAll().where('id', '=', card.customer_id).executeTakeFirstOrThrow(),
      this.db.selectFrom('programs').selectAll().where('id', '=', card.program_id).executeTakeFirstOrThrow(),
    ]);
    const identity = bound ?? (await this.#bind(card, program.brand_id));
    this.#assertCanSign(identity.signing);
    const pass = await this.#build(card, customer, program, identity.signing);
    this.#cache.set(card.id, { version: card.pass_version, signing: identity.signing, pass });
    if (this.#cache.size > this.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    return pass;
  }

  /** The pass type id a card's pass has (binding it to its brand's current identity if it has none yet). */
  async passTypeOf(card: Card): Promise<string> {
    if (card.apple_pass_type_id) return card.apple_pass_type_id;
    const program = await this.db.selectFrom('programs').select('brand_id').where('id', '=', card.program_id).executeTakeFirstOrThrow();
    return (await this.#bind(card, program.brand_id)).passTypeIdentifier;
  }

  /**
   * A card's first pass takes its brand's current identity, and keeps it: a pass on a phone is known
   * by that pass type id. Of two first fetches at once, the first to bind wins.
   */
  async #bind(card: Card, brandId: string): Promise<LoadedIdentity> {
    if (card.apple_pass_type_id) {
      throw new AppError(503, 'Pass signing unavailable', `No Apple identity for ${card.apple_pass_type_id}, which this pass was issued with`);
    }
    const current = await this.identities.currentFor(brandId);
    const row = await this.db
      .updateTable('cards')
      .set({ apple_pass_type_id: current.passTypeIdentifier })
      .where('id', '=', card.id)
      .where('apple_pass_type_id', 'is', null)
      .returning('apple_pass_type_id')
      .executeTakeFirst();
    card.apple_pass_type_id =
      row?.apple_pass_type_id ??
      (await this.db.selectFrom('cards').select('apple_pass_type_id').where('id', '=', card.id).executeTakeFirstOrThrow()).apple_pass_type_id;
    const identity = await this.identityOf(card);
    if (!identity) throw new AppError(503, 'Pass signing unavailable', `No Apple identity for ${card.apple_pass_type_id}`);
    return identity;
  }

  async #build(card: Card, customer: Customer, program: Program, signing: SigningIdentity): Promise<BuiltPass> {
    const [stores, waiting] = await Promise.all([
      this.db.selectFrom('stores').selectAll().where('program_id', '=', program.id).orderBy('created_at').orderBy('id').execute(),
      openSubscriptionsForPass(this.db, this.publicUrl, card.id),
    ]);
    const { template, packager } = await this.#design(program.design, signing);
    const passJson = buildPassJson({
      template: template.passJson,
      passTypeIdentifier: signing.passTypeIdentifier,
      teamIdentifier: signing.teamIdentifier,
      webServiceURL: this.webServiceURL,
      program,
      card,
      customer,
      stores,
      restockSubscriptions: waiting,
    });
    const parts = packager.buildParts(passJson);
    return { parts, size: parts.reduce((n, p) => n + p.length, 0), card, program };
  }

  /** Templates are read and hashed once per design, and pre-encoded once per design and identity. */
  async #design(name: string, signing: SigningIdentity): Promise<{ template: PassTemplate; packager: PassPackager }> {
    let template = this.#templates.get(name);
    if (!template) {
      template = loadPassTemplate(path.join(this.templatesDir, name)).catch(async (err: unknown) => {
        if (name === 'default') throw err;
        // A program naming a design that is not installed still gets a card, in the default design.
        return loadPassTemplate(path.join(this.templatesDir, 'default'));
      });
      template.catch(() => this.#templates.delete(name));
      this.#templates.set(name, template);
    }
    const loaded = await template;
    let packagers = this.#packagers.get(signing);
    if (!packagers) this.#packagers.set(signing, (packagers = new Map()));
    let packager = packagers.get(name);
    if (!packager) packagers.set(name, (packager = createPassPackager(loaded, signing)));
    return { template: loaded, packager };
  }

  /** Loads and checks the default design at start-up, so a broken template fails early. */
  async warmUp(): Promise<void> {
    await this.#design('default', this.identities.deployment.signing);
  }
}
