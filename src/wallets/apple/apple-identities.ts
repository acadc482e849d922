import { readFile } from 'node:fs/promises';
import type { Db } from '../../platform/db/database.js';
import type { AppleCredentials, AppleIdentitiesTable } from '../../platform/db/schema.js';
import type { Selectable } from 'kysely';
import type { SecretBox } from '../../platform/secrets/secret-box.js';
import { AppError, conflict, invalidField, ValidationError } from '../../platform/shared/errors.js';
import { RecheckedCache } from '../../platform/secrets/rechecked-cache.js';
import { assertIdentityMatches, loadSigningIdentity, type SigningIdentity } from './pkpass/signing-identity.js';

/** A pass type id's signing identity and what its APNs connection needs. */
export interface LoadedIdentity {
  signing: SigningIdentity;
  passTypeIdentifier: string;
  certPem: string;
  keyPem: string;
  keyPassphrase: string | undefined;
}

/** What a brand sends: the PEMs (sealed with SECRETS_KEY), or (deployment key only) paths on the server. */
export interface AppleIdentityInput {
  passTypeIdentifier?: string | undefined;
  teamIdentifier?: string | undefined;
  certificatePem?: string | undefined;
  keyPem?: string | undefined;
  keyPassphrase?: string | undefined;
  wwdrPem?: string | undefined;
  files?: { certificate: string; key: string; wwdr: string; keyPassphrase?: string | undefined } | undefined;
}

export interface AppleIdentityView {
  passTypeIdentifier: string;
  teamIdentifier: string;
  certificateNotAfter: string;
  wwdrNotAfter: string;
  source: 'stored' | 'files';
  updatedAt: string;
}

type Row = Selectable<AppleIdentitiesTable>;
interface Secrets {
  certificatePem: string;
  keyPem: string;
  wwdrPem: string;
  keyPassphrase?: string | undefined;
}

/** Another process may have renewed a certificate: a cached identity is checked again after this. */
const RECHECK_MS = 30_000;

/**
 * Every Apple identity the service signs and pushes with: the deployment's (APPLE_* or the
 * development chain), used by every brand without one of its own, and each brand's, stored in
 * apple_identities. A pass is signed, served and pushed with the identity of its pass type id.
 */
export class AppleIdentities {
  readonly #byPassType: RecheckedCache<Row, LoadedIdentity>;
  readonly #currentOf = new Map<string, { at: number; passTypeId: string | undefined }>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    readonly deployment: LoadedIdentity,
  ) {
    this.#byPassType = new RecheckedCache(
      (passTypeId) => this.db.selectFrom('apple_identities').selectAll().where('pass_type_id', '=', passTypeId).executeTakeFirst(),
      (row) => this.#load(row),
      RECHECK_MS,
    );
  }

  /** The identity of a pass type id, or undefined when no identity of this service has it. */
  async byPassType(passTypeId: string): Promise<LoadedIdentity | undefined> {
    if (passTypeId === this.deployment.passTypeIdentifier) return this.deployment;
    return this.#byPassType.get(passTypeId);
  }

  /** The identity a brand's new passes are signed with: its own current one, else the deployment's. */
  async currentFor(brandId: string): Promise<LoadedIdentity> {
    let current = this.#currentOf.get(brandId);
    if (!current || Date.now() - current.at >= RECHECK_MS) {
      const row = await this.db
        .selectFrom('apple_identities')
        .select('pass_type_id')
        .where('brand_id', '=', brandId)
        .where('current', '=', true)
        .executeTakeFirst();
      current = { at: Date.now(), passTypeId: row?.pass_type_id };
      this.#currentOf.set(brandId, current);
    }
    return (current.passTypeId && (await this.byPassType(current.passTypeId))) || this.deployment;
  }

  async view(brandId: string): Promise<AppleIdentityView | null> {
    const row = await this.db.selectFrom('apple_identities').selectAll().where('brand_id', '=', brandId).where('current', '=', true).executeTakeFirst();
    return row ? toView(row) : null;
  }

  /**
   * Checks and stores a brand's identity, and makes it the one its new passes get. The same pass type
   * id again is a renewal; a new one leaves the old identity serving the passes already issued.
   */
  async save(brandId: string, input: AppleIdentityInput, byDeployment: boolean): Promise<AppleIdentityView> {
    const { secrets, credentials } = await this.#credentials(input, byDeployment);
    let signing: SigningIdentity;
    try {
      signing = signingOf(secrets);
    } catch (err) {
      throw new AppError(400, 'Invalid request', (err as Error).message);
    }
    const expected = {
      passTypeIdentifier: input.passTypeIdentifier ?? signing.passTypeIdentifier,
      teamIdentifier: input.teamIdentifier ?? signing.teamIdentifier,
    };
    try {
      assertIdentityMatches(signing, expected);
    } catch (err) {
      throw new AppError(400, 'Invalid request', (err as Error).message);
    }
    const now = new Date();
    if (signing.notAfter < now) throw invalidField('certificatePem', `expired on ${signing.notAfter.toISOString().slice(0, 10)}`);
    if (signing.wwdrNotAfter < now) throw invalidField('wwdrPem', `expired on ${signing.wwdrNotAfter.toISOString().slice(0, 10)}`);
    const ptid = signing.passTypeIdentifier;
    if (ptid === this.deployment.passTypeIdentifier) throw conflict(`${ptid} is the deployment's own pass type id (APPLE_PASS_TYPE_ID)`);
    const context = sealContext(brandId, ptid);
    const stored: AppleCredentials =
      'files' in credentials
        ? { files: credentials.files, ...(credentials.passphrase !== undefined && { sealedPassphrase: this.box.seal(credentials.passphrase, context) }) }
        : { sealed: this.box.seal(JSON.stringify(secrets), context) };

    const row = await this.db.transaction().execute(async (trx) => {
      // One change of a brand's identities at a time (a missing row cannot be locked; the brand's can).
      await trx.selectFrom('brands').select('id').where('id', '=', brandId).forUpdate().executeTakeFirst();
      const taken = await trx.selectFrom('apple_identities').select('brand_id').where('pass_type_id', '=', ptid).forUpdate().executeTakeFirst();
      if (taken && taken.brand_id !== brandId) throw conflict(`${ptid} is another brand's pass type id`);
      await trx.updateTable('apple_identities').set({ current: false }).where('brand_id', '=', brandId).where('pass_type_id', '!=', ptid).execute();
      const values = {
        team_id: signing.teamIdentifier,
        credentials: JSON.stringify(stored) as unknown as AppleCredentials,
        certificate_not_after: signing.notAfter,
        wwdr_not_after: signing.wwdrNotAfter,
        current: true,
        updated_at: new Date(),
      };
      const saved = await trx
        .insertInto('apple_identities')
        .values({ pass_type_id: ptid, brand_id: brandId, ...values })
        // Another brand inserting the same pass type id meanwhile: its row is not ours to overwrite.
        .onConflict((oc) => oc.column('pass_type_id').doUpdateSet(values).where('apple_identities.brand_id', '=', brandId))
        .returningAll()
        .executeTakeFirst();
      // Thrown inside: the brand's other rows stay current.
      if (!saved) throw conflict(`${ptid} is another brand's pass type id`);
      return saved;
    });
    this.#currentOf.delete(brandId);
    this.#byPassType.forget(ptid);
    return toView(row);
  }

  /** The brand's new passes go back to the deployment's identity; passes already issued keep theirs. */
  async retire(brandId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('apple_identities')
      .set({ current: false })
      .where('brand_id', '=', brandId)
      .where('current', '=', true)
      .executeTakeFirst();
    this.#currentOf.delete(brandId);
    return Number(result.numUpdatedRows) > 0;
  }

  async #credentials(
    input: AppleIdentityInput,
    byDeployment: boolean,
  ): Promise<{ secrets: Secrets; credentials: { files: { certificate: string; key: string; wwdr: string }; passphrase?: string } | { pasted: true } }> {
    const pasted = input.certificatePem !== undefined || input.keyPem !== undefined || input.wwdrPem !== undefined;
    if (input.files && pasted) throw invalidField('files', 'give either the PEMs or files, not both');
    if (input.files) {
      // A path is read by the server: only the operator, who owns the server's files, may name one.
      if (!byDeployment) throw new AppError(403, 'Forbidden', 'Only the deployment key may reference files on the server; send the PEMs instead');
      const { certificate, key, wwdr, keyPassphrase } = input.files;
      const [certificatePem, keyPem, wwdrPem] = await Promise.all([
        readNamed(certificate, 'files.certificate'),
        readNamed(key, 'files.key'),
        readNamed(wwdr, 'files.wwdr'),
      ]);
      if (keyPassphrase !== undefined && !this.box.available)
        throw invalidField('files.keyPassphrase', 'cannot be stored: this deployment has no SECRETS_KEY to seal it with');
      return {
        secrets: { certificatePem, keyPem, wwdrPem, keyPassphrase },
        credentials: { files: { certificate, key, wwdr }, ...(keyPassphrase !== undefined && { passphrase: keyPassphrase }) },
      };
    }
    const missing = (['certificatePem', 'keyPem', 'wwdrPem'] as const).filter((f) => input[f] === undefined);
    if (missing.length) throw new ValidationError(missing.map((field) => ({ field, message: 'is required (or reference files with the deployment key)' })));
    if (!this.box.available)
      throw invalidField('keyPem', 'cannot be stored: this deployment has no SECRETS_KEY to seal it with (set it, or reference files with the deployment key)');
    const secrets: Secrets = { certificatePem: input.certificatePem!, keyPem: input.keyPem!, wwdrPem: input.wwdrPem!, keyPassphrase: input.keyPassphrase };
    return { secrets, credentials: { pasted: true } };
  }

  async #load(row: Row): Promise<LoadedIdentity> {
    const creds = row.credentials;
    const context = sealContext(row.brand_id, row.pass_type_id);
    const secrets: Secrets =
      'sealed' in creds
        ? (JSON.parse(this.box.open(creds.sealed, context)) as Secrets)
        : {
            certificatePem: await readFile(creds.files.certificate, 'utf8'),
            keyPem: await readFile(creds.files.key, 'utf8'),
            wwdrPem: await readFile(creds.files.wwdr, 'utf8'),
            keyPassphrase: creds.sealedPassphrase === undefined ? undefined : this.box.open(creds.sealedPassphrase, context),
          };
    const signing = signingOf(secrets);
    return { signing, passTypeIdentifier: row.pass_type_id, certPem: secrets.certificatePem, keyPem: secrets.keyPem, keyPassphrase: secrets.keyPassphrase };
  }
}

function signingOf(s: Secrets): SigningIdentity {
  return loadSigningIdentity({
    certPem: s.certificatePem,
    keyPem: s.keyPem,
    wwdrPem: s.wwdrPem,
    ...(s.keyPassphrase !== undefined && { keyPassphrase: s.keyPassphrase }),
  });
}

function sealContext(brandId: string, passTypeId: string): string {
  return `apple:${brandId}:${passTypeId}`;
}

function toView(row: Row): AppleIdentityView {
  return {
    passTypeIdentifier: row.pass_type_id,
    teamIdentifier: row.team_id,
    certificateNotAfter: row.certificate_not_after.toISOString(),
    wwdrNotAfter: row.wwdr_not_after.toISOString(),
    source: 'files' in row.credentials ? 'files' : 'stored',
    updatedAt: row.updated_at.toISOString(),
  };
}

async function readNamed(file: string, field: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw invalidField(field, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
