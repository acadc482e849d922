import type { Config } from '../platform/config/config.js';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/log/logger.js';
import { ApiKeyService } from '../access/api-keys/api-key-service.js';
import { ProgramService } from '../loyalty/programs/program-service.js';
import { StoreService } from '../loyalty/stores/store-service.js';
import { CardService } from '../loyalty/cards/card-service.js';
import { CardMessageService } from '../loyalty/cards/card-message-service.js';
import { ErasureService } from '../loyalty/customers/erasure-service.js';
import { cardPageUrl, type CardLinkBuilder } from '../loyalty/cards/card-view.js';
import { CardChanges, PROGRAM_CHANGED } from '../wallets/outbox/card-changes.js';
import { JobQueue } from '../platform/jobs/job-queue.js';
import { JobRunner } from '../platform/jobs/job-runner.js';
import { setupAppleWallet, type AppleWallet } from '../wallets/apple/apple-wallet.js';
import { setupGoogleWallet, type GoogleWallet } from '../wallets/google/google-wallet.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { PurchaseService } from '../loyalty/ledger/purchase-service.js';
import { PointsService } from '../loyalty/ledger/points-service.js';
import { PeriodicJobs } from '../platform/jobs/periodic.js';
import { SmsService } from '../engagement/sms/sms-service.js';
import { CAMPAIGN_RUN, CampaignService } from '../engagement/campaigns/campaign-service.js';
import { BIRTHDAY_TICK, BirthdayAutomation } from '../engagement/campaigns/birthday-automation.js';
import { POINTS_REMINDER_TICK, PointsReminderAutomation } from '../engagement/campaigns/points-reminder.js';
import { createSmsProvider } from '../engagement/sms/create-sms-provider.js';
import { RestockService } from '../engagement/restock/restock-service.js';

export const EXPIRE_POINTS = 'ledger.expire-points';

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
  messages: CardMessageService;
  erasure: ErasureService;
  changes: CardChanges;
  ledger: Ledger;
  purchases: PurchaseService;
  points: PointsService;
  jobs: JobRunner;
  periodic: PeriodicJobs;
  sms: SmsService;
  campaigns: CampaignService;
  birthdays: BirthdayAutomation;
  reminders: PointsReminderAutomation;
  restock: RestockService;
  apple: AppleWallet | undefined;
  google: GoogleWallet | undefined;
  cardLinks: CardLinkBuilder[];
  close(): Promise<void>;
}

export async function createServices(config: Config, db: Db, dbKind: Services['dbKind'], logger: Logger): Promise<Services> {
  const changes = new CardChanges();
  const jobs = new JobRunner(new JobQueue(db), logger, { pollMs: config.jobPollMs });
  changes.setCommitListener(() => jobs.nudge());
  jobs.register(PROGRAM_CHANGED, (job) => changes.expandProgramChange(db, String(job.payload.programId)));

  const programs = new ProgramService(db, changes);
  const cards = new CardService(db, programs, config.defaultPhoneRegion, changes);
  const ledger = new Ledger(changes);
  const points = new PointsService(db, ledger);
  cards.onEnrolled((trx, enrolled) => points.grantWelcome(trx, enrolled.card, enrolled.program));
  jobs.register(EXPIRE_POINTS, async () => void (await points.expire()));
  const periodic = new PeriodicJobs(db, logger);
  const campaigns = new CampaignService(db, programs, ledger, changes, logger);
  const birthdays = new BirthdayAutomation(db, campaigns, logger);
  jobs.register(CAMPAIGN_RUN, campaigns.runJob);
  jobs.register(BIRTHDAY_TICK, birthdays.tick);
  const reminders = new PointsReminderAutomation(db, campaigns, logger);
  jobs.register(POINTS_REMINDER_TICK, reminders.tick);
  const apple = await setupAppleWallet(config, db, logger, changes, jobs);
  const google = await setupGoogleWallet(config, db, logger, changes, jobs, cards);
  // The personal card page (src/web): what an SMS or an e-mail should link to.
  const cardLinks: CardLinkBuilder[] = [(card) => ({ page: cardPageUrl(config.publicUrl, card) })];
  if (apple) cardLinks.push(apple.link);
  if (google) cardLinks.push(google.link);
  if (google) campaigns.classBroadcast = google.broadcastToClass;

  return {
    config,
    db,
    dbKind,
    logger,
    apiKeys: new ApiKeyService(db, config.adminApiKey),
    programs,
    stores: new StoreService(db, programs, changes),
    cards,
    messages: new CardMessageService(db, cards, changes),
    erasure: new ErasureService(db, changes),
    changes,
    ledger,
    purchases: new PurchaseService(ledger),
    points,
    jobs,
    periodic,
    campaigns,
    birthdays,
    reminders,
    sms: new SmsService(db, createSmsProvider(config.sms, logger), config.sms.limits, logger),
    restock: new RestockService(db, cards, programs, changes),
    apple,
    google,
    cardLinks,
    async close() {
      periodic.stop();
      await jobs.stop();
      await apple?.close();
    },
  };
}
