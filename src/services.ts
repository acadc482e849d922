import type { Config } from './config/config.js';
import type { Db } from './db/database.js';
import type { Logger } from './log/logger.js';
import { ApiKeyService } from './api-keys/api-key-service.js';
import { ProgramService } from './programs/program-service.js';
import { StoreService } from './stores/store-service.js';
import { CardService } from './cards/card-service.js';
import { ErasureService } from './customers/erasure-service.js';
import type { CardLinkBuilder } from './cards/card-view.js';

/** Everything a request handler or worker may need, built once per process. */
export interface Services {
  config: Config;
  db: Db;
  dbKind: 'postgres' | 'pglite';
  logger: Logger;
  apiKeys: ApiKeyService;
  programs: ProgramService;
  stores: StoreService;
  cards: CardService;
  erasure: ErasureService;
  cardLinks: CardLinkBuilder[];
}

export function createServices(config: Config, db: Db, dbKind: Services['dbKind'], logger: Logger): Services {
  const programs = new ProgramService(db);
  return {
    config,
    db,
    dbKind,
    logger,
    apiKeys: new ApiKeyService(db, config.adminApiKey),
    programs,
    stores: new StoreService(db, programs),
    cards: new CardService(db, programs, config.defaultPhoneRegion),
    erasure: new ErasureService(db),
    cardLinks: [],
  };
}
