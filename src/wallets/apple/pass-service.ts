import path from 'node:path';
import type { Db } from '../../platform/db/database.js';
import type { Card, Customer, Program } from '../../platform/db/schema.js';
import { createPassPackager, loadPassTemplate, type PassPackager, type PassTemplate } from './pkpass/pass-packager.js';
import type { SigningIdentity } from './pkpass/signing-identity.js';
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
 */
export class PassService {
  readonly #designs = new Map<string, Promise<{ template: PassTemplate; packager: PassPackager }>>();
  readonly #cache = new Map<string, { version: number; pass: BuiltPass }>();

  constructor(
    private readonly db: Db,
    private readonly identity: SigningIdentity,
    private readonly templatesDir: string,
    private readonly webServiceURL: string,
    private readonly publicUrl: string,
    private readonly cacheSize = 10_000,
  ) {}

  get passTypeIdentifier(): string {
    return this.identity.passTypeIdentifier;
  }

  async findCardBySerial(serial: string): Promise<Card | undefined> {
    return this.db.selectFrom('cards').selectAll().where('serial_number', '=', serial).executeTakeFirst();
  }

  async findCardByLinkToken(token: string): Promise<Card | undefined> {
    return this.db.selectFrom('cards').selectAll().where('link_token', '=', token).executeTakeFirst();
  }

  /** The current pass of a card (already loaded, e.g. after authenticating the request). */
  /** Days until the pass certificate and the WWDR intermediate expire (negative: expired). */
  certificateDaysLeft(now = Date.now()): { certificate: number; wwdr: number } {
    const days = (d: Date) => Math.floor((d.getTime() - now) / 86_400_000);
    return { certificate: days(this.identity.notAfter), wwdr: days(this.identity.wwdrNotAfter) };
  }

  /** Wallet refuses a pass signed by an expired certificate: say so instead of serving one. */
  #assertCanSign(): void {
    const now = new Date();
    const expired =
      this.identity.notAfter < now
        ? `Pass Type ID certificate expired on ${this.identity.notAfter.toISOString().slice(0, 10)}`
        : this.identity.wwdrNotAfter < now
          ? `WWDR certificate expired on ${this.identity.wwdrNotAfter.toISOString().slice(0, 10)}`
          : undefined;
    if (expired) throw new AppError(503, 'Pass signing unavailable', `The ${expired}: renew it (see certs.example/README.md)`);
  }

  async passFor(card: Card): Promise<BuiltPass> {
    this.#assertCanSign();
    const cached = this.#cache.get(card.id);
    if (cached && cached.version === card.pass_version) {
      // Refresh its place in the LRU order.
      this.#cache.delete(card.id);
      this.#cache.set(card.id, cached);
      return cached.pass;
    }
    const [customer, program] = await Promise.all([
      this.db.selectFrom('customers').selectAll().where('id', '=', card.customer_id).executeTakeFirstOrThrow(),
      this.db.selectFrom('programs').selectAll().where('id', '=', card.program_id).executeTakeFirstOrThrow(),
    ]);
    const pass = await this.#build(card, customer, program);
    this.#cache.set(card.id, { version: card.pass_version, pass });
    if (this.#cache.size > this.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    return pass;
  }

  async #build(card: Card, customer: Customer, program: Program): Promise<BuiltPass> {
    const [stores, waiting] = await Promise.all([
      this.db.selectFrom('stores').selectAll().where('program_id', '=', program.id).orderBy('created_at').orderBy('id').execute(),
      openSubscriptionsForPass(this.db, this.publicUrl, card.id),
    ]);
    const { template, packager } = await this.#design(program.design);
    const passJson = buildPassJson({
      template: template.passJson,
      passTypeIdentifier: this.identity.passTypeIdentifier,
      teamIdentifier: this.identity.teamIdentifier,
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

  /** Templates are read, hashed and pre-encoded once per design. */
  #design(name: string) {
    let design = this.#designs.get(name);
    if (!design) {
      design = (async () => {
        const dir = path.join(this.templatesDir, name);
        const template = await loadPassTemplate(dir).catch(async (err: unknown) => {
          if (name === 'default') throw err;
          // A program naming a design that is not installed still gets a card, in the default design.
          return loadPassTemplate(path.join(this.templatesDir, 'default'));
        });
        return { template, packager: createPassPackager(template, this.identity) };
      })();
      design.catch(() => this.#designs.delete(name));
      this.#designs.set(name, design);
    }
    return design;
  }

  /** Loads and checks the default design at start-up, so a broken template fails early. */
  async warmUp(): Promise<void> {
    await this.#design('default');
  }
}
