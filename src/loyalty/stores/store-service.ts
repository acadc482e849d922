import type { Db } from '../../platform/db/database.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Store } from '../../platform/db/schema.js';
import { notFound } from '../../platform/shared/errors.js';
import type { ProgramService } from '../programs/program-service.js';
import type { CreateStoreInput, UpdateStoreInput } from './store-input.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';

export class StoreService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly programs: ProgramService,
    private readonly outbox: WalletOutbox,
  ) {}
  private get db() {
    return this.uow.db;
  }

  async create(input: CreateStoreInput): Promise<Store> {
    const program = await this.programs.requireForInput(input.program);
    return this.#changingPasses(program.id, (trx) =>
      trx
        .insertInto('stores')
        .values({
          program_id: program.id,
          name: input.name,
          address: input.address,
          latitude: input.latitude,
          longitude: input.longitude,
          relevant_text: input.relevantText ?? null,
          beacons: JSON.stringify(input.beacons),
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  /** Stores (locations, beacons, relevant texts, the back-of-card list) are on the cards. */
  async #changingPasses(programId: string, write: (trx: Db) => Promise<Store>): Promise<Store> {
    const store = await this.uow.run(async (trx) => {
      const store = await write(trx);
      await this.outbox.programChanged(trx, programId);
      return store;
    });
    return store;
  }

  async listForProgram(slug: string): Promise<Store[]> {
    const program = await this.programs.getBySlug(slug);
    return this.db.selectFrom('stores').selectAll().where('program_id', '=', program.id).orderBy('created_at').orderBy('id').execute();
  }

  async get(id: string): Promise<Store> {
    const store = await this.db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
    if (!store) throw notFound('Store');
    return store;
  }

  async update(id: string, input: UpdateStoreInput): Promise<Store> {
    const existing = await this.get(id);
    return this.#changingPasses(existing.program_id, (trx) =>
      trx
        .updateTable('stores')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.address !== undefined && { address: input.address }),
          ...(input.latitude !== undefined && { latitude: input.latitude }),
          ...(input.longitude !== undefined && { longitude: input.longitude }),
          ...(input.relevantText !== undefined && { relevant_text: input.relevantText }),
          ...(input.beacons !== undefined && { beacons: JSON.stringify(input.beacons) }),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }
}

export function toStoreView(s: Store) {
  return {
    id: s.id,
    programId: s.program_id,
    name: s.name,
    address: s.address,
    latitude: s.latitude,
    longitude: s.longitude,
    relevantText: s.relevant_text,
    beacons: s.beacons,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
  };
}
