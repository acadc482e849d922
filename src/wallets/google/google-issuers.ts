import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { GoogleCredentials, GoogleIssuersTable } from '../../platform/db/schema.js';
import type { SecretBox } from '../../platform/secrets/secret-box.js';
import { AppError, conflict, invalidField } from '../../platform/shared/errors.js';
import { RecheckedCache } from '../../platform/secrets/rechecked-cache.js';

/** What signs save links and authenticates API calls for one issuer. */
export interface ServiceAccount {
  client_email: string;
  private_key: string;
}

export interface Issuer {
  issuerId: string;
  account: ServiceAccount;
  /** Changes when the brand renews the account: runtimes built on the old one are rebuilt. */
  version: number;
}

/** What a brand sends: the service account's JSON key (sealed), or (deployment key only) its path. */
export interface GoogleIssuerInput {
  issuerId: string;
  serviceAccount?: { client_email: string; private_key: string } | undefined;
  file?: string | undefined;
}

export interface GoogleIssuerView {
  issuerId: string;
  clientEmail: string;
  source: 'stored' | 'file' | 'deployment';
  updatedAt: string | null;
}

type Row = Selectable<GoogleIssuersTable>;

/** Another process may have renewed an account: a cached issuer is checked again after this. */
const RECHECK_MS = 30_000;

/**
 * Every Google issuer the service writes objects under: the deployment's (GOOGLE_ISSUER_ID), used
 * by every brand without one of its own, and each brand's, stored in google_issuers. An object
 * stays under the issuer it was made with (its id carries it), as a pass keeps its pass type id.
 */
export class GoogleIssuers {
  readonly #byId: RecheckedCache<Row, Issuer>;
  readonly #currentOf = new Map<string, { at: number; issuerId: string | undefined }>();
  #anyStored: { at: number; value: boolean } | undefined;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    readonly deployment: Issuer | undefined,
  ) {
    this.#byId = new RecheckedCache(
      (issuerId) => this.db.selectFrom('google_issuers').selectAll().where('issuer_id', '=', issuerId).executeTakeFirst(),
      (row) => this.#load(row),
      RECHECK_MS,
    );
  }

  /** The issuer of this id, or undefined when no issuer of this service has it. */
  async byId(issuerId: string): Promise<Issuer | undefined> {
    if (issuerId === this.deployment?.issuerId) return this.deployment;
    return this.#byId.get(issuerId);
  }

  /** The brand an issuer belongs to: null for the deployment's (it serves every brand without one). */
  async brandOf(issuerId: string): Promise<string | null | undefined> {
    if (issuerId === this.deployment?.issuerId) return null;
    const row = await this.db.selectFrom('google_issuers').select('brand_id').where('issuer_id', '=', issuerId).executeTakeFirst();
    return row?.brand_id;
  }

  /** The issuer a brand's new objects are made under: its own current one, else the deployment's. */
  async currentFor(brandId: string): Promise<Issuer | undefined> {
    let current = this.#currentOf.get(brandId);
    if (!current || Date.now() - current.at >= RECHECK_MS) {
      const row = await this.db.selectFrom('google_issuers').select('issuer_id').where('brand_id', '=', brandId).where('current', '=', true).executeTakeFirst();
      current = { at: Date.now(), issuerId: row?.issuer_id };
      this.#currentOf.set(brandId, current);
    }
    return (current.issuerId && (await this.byId(current.issuerId))) || this.deployment;
  }

  /** Whether any issuer exists (Google is on for some brand); a stored one is noticed within RECHECK_MS. */
  async any(): Promise<boolean> {
    if (this.deployment) return true;
    if (!this.#anyStored || Date.now() - this.#anyStored.at >= RECHECK_MS) {
      const row = await this.db.selectFrom('google_issuers').select('issuer_id').limit(1).executeTakeFirst();
      this.#anyStored = { at: Date.now(), value: row !== undefined };
    }
    return this.#anyStored.value;
  }

  /** Answers from the last check, without waiting (for code that cannot): true once any() saw one. */
  get anyKnown(): boolean {
    if (this.deployment) return true;
    if (!this.#anyStored || Date.now() - this.#anyStored.at >= RECHECK_MS) void this.any().catch(() => undefined);
    return this.#anyStored?.value ?? false;
  }

  async view(brandId: string): Promise<GoogleIssuerView | null> {
    const row = await this.db.selectFrom('google_issuers').selectAll().where('brand_id', '=', brandId).where('current', '=', true).executeTakeFirst();
    if (row) return toView(row);
    return this.deployment
      ? { issuerId: this.deployment.issuerId, clientEmail: this.deployment.account.client_email, source: 'deployment', updatedAt: null }
      : null;
  }

  /**
   * Checks and stores a brand's issuer, and makes it the one its new cards get. The same issuer id
   * again renews its service account; another leaves the old issuer serving the objects made under it.
   */
  async save(brandId: string, input: GoogleIssuerInput, byDeployment: boolean): Promise<GoogleIssuerView> {
    const { issuerId } = input;
    if (issuerId === this.deployment?.issuerId) throw conflict(`${issuerId} is the deployment's own issuer (GOOGLE_ISSUER_ID)`);
    let account: ServiceAccount;
    let credentials: GoogleCredentials;
    if (input.file !== undefined && input.serviceAccount !== undefined) throw invalidField('file', 'give either serviceAccount or file, not both');
    if (input.file !== undefined) {
      // A path is read by the server: only the operator, who owns the server's files, may name one.
      if (!byDeployment) throw new AppError(403, 'Forbidden', 'Only the deployment key may reference files on the server; send serviceAccount instead');
      account = await readServiceAccount(input.file, 'file');
      credentials = { file: input.file };
    } else if (input.serviceAccount !== undefined) {
      account = checkedAccount(input.serviceAccount, 'serviceAccount');
      if (!this.box.available) throw invalidField('serviceAccount', 'cannot be stored: this deployment has no SECRETS_KEY to seal it with');
      credentials = { sealed: this.box.seal(JSON.stringify(account), sealContext(brandId, issuerId)) };
    } else {
      throw invalidField('serviceAccount', 'is required (the JSON key of a service account authorised for the issuer)');
    }

    const row = await this.db.transaction().execute(async (trx) => {
      // One change of a brand's issuers at a time (a missing row cannot be locked; the brand's can).
      await trx.selectFrom('brands').select('id').where('id', '=', brandId).forUpdate().executeTakeFirst();
      const taken = await trx.selectFrom('google_issuers').select('brand_id').where('issuer_id', '=', issuerId).forUpdate().executeTakeFirst();
      if (taken && taken.brand_id !== brandId) throw conflict(`${issuerId} is another brand's issuer`);
      await trx.updateTable('google_issuers').set({ current: false }).where('brand_id', '=', brandId).where('issuer_id', '!=', issuerId).execute();
      const values = {
        client_email: account.client_email,
        credentials: JSON.stringify(credentials) as unknown as GoogleCredentials,
        current: true,
        updated_at: new Date(),
      };
      const saved = await trx
        .insertInto('google_issuers')
        .values({ issuer_id: issuerId, brand_id: brandId, ...values })
        // Another brand inserting the same issuer meanwhile: its row is not ours to overwrite.
        .onConflict((oc) => oc.column('issuer_id').doUpdateSet(values).where('google_issuers.brand_id', '=', brandId))
        .returningAll()
        .executeTakeFirst();
      // Thrown inside: the brand's other rows stay current.
      if (!saved) throw conflict(`${issuerId} is another brand's issuer`);
      return saved;
    });
    this.#currentOf.delete(brandId);
    this.#byId.forget(issuerId);
    this.#anyStored = { at: Date.now(), value: true };
    return toView(row);
  }

  /** The brand's new cards go back to the deployment's issuer; objects already made keep theirs. */
  async retire(brandId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('google_issuers')
      .set({ current: false })
      .where('brand_id', '=', brandId)
      .where('current', '=', true)
      .executeTakeFirst();
    this.#currentOf.delete(brandId);
    return Number(result.numUpdatedRows) > 0;
  }

  async #load(row: Row): Promise<Issuer> {
    const creds = row.credentials;
    const account =
      'sealed' in creds
        ? (JSON.parse(this.box.open(creds.sealed, sealContext(row.brand_id, row.issuer_id))) as ServiceAccount)
        : await readServiceAccount(creds.file, 'file');
    return { issuerId: row.issuer_id, account, version: row.updated_at.getTime() };
  }
}

/** The deployment's service account (GOOGLE_APPLICATION_CREDENTIALS). */
export async function readServiceAccount(file: string, field: string): Promise<ServiceAccount> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw invalidField(field, `cannot read ${file} as JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return checkedAccount(parsed, field);
}

/** A service account JSON key: its client_email and an RSA private key that parses. */
function checkedAccount(value: unknown, field: string): ServiceAccount {
  const v = (value ?? {}) as Partial<ServiceAccount>;
  if (typeof v.client_email !== 'string' || typeof v.private_key !== 'string') {
    throw invalidField(field, 'has no client_email/private_key (use a service account JSON key)');
  }
  try {
    if (createPrivateKey(v.private_key).asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  } catch (err) {
    throw invalidField(`${field}.private_key`, `is not a usable RSA private key (${(err as Error).message})`);
  }
  return { client_email: v.client_email, private_key: v.private_key };
}

function sealContext(brandId: string, issuerId: string): string {
  return `google:${brandId}:${issuerId}`;
}

function toView(row: Row): GoogleIssuerView {
  return {
    issuerId: row.issuer_id,
    clientEmail: row.client_email,
    source: 'file' in row.credentials ? 'file' : 'stored',
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Objects and classes are "<issuerId>.<suffix>": the issuer an id lives under. */
export const issuerOfId = (id: string): string => id.slice(0, Math.max(0, id.indexOf('.')));
