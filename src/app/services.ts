import type { Config } from '../platform/config/config.js';
import type { Db } from '../platform/db/database.js';
import { UnitOfWork } from '../platform/db/unit-of-work.js';
import type { Logger } from '../platform/log/logger.js';
import { JobQueue } from '../platform/jobs/job-queue.js';
import { JobRunner } from '../platform/jobs/job-runner.js';
import { PeriodicJobs } from '../platform/jobs/periodic.js';
import { ApiKeyService } from '../access/api-keys/api-key-service.js';
import { ProgramService } from '../loyalty/programs/program-service.js';
import { StoreService } from '../loyalty/stores/store-service.js';
import { CardService } from '../loyalty/cards/card-service.js';
import { CardMessageService } from '../loyalty/cards/card-message-service.js';
import { ErasureService } from '../loyalty/customers/erasure-service.js';
import { cardPageUrl, type CardLinkBuilder } from '../loyalty/cards/card-view.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { PurchaseService } from '../loyalty/ledger/purchase-service.js';
import { PointsService } from '../loyalty/ledger/points-service.js';
import { SmsService } from '../engagement/sms/sms-service.js';
import { createSmsProvider } from '../engagement/sms/create-sms-provider.js';
import { CardLinkSms } from '../engagement/sms/card-link-sms.js';
import { TillService } from '../loyalty/pos/till-service.js';
import { TillEnrolment } from '../loyalty/pos/till-enrolment.js';
import { CampaignService } from '../engagement/campaigns/campaign-service.js';
import { BirthdayAutomation } from '../engagement/campaigns/birthday-automation.js';
import { PointsReminderAutomation } from '../engagement/campaigns/points-reminder.js';
import { RestockService } from '../engagement/restock/restock-service.js';
import { WalletOutbox } from '../wallets/outbox/wallet-outbox.js';
import { setupAppleWallet, type AppleWallet } from '../wallets/apple/apple-wallet.js';
import { setupGoogleWallet, type GoogleWallet } from '../wallets/google/google-wallet.js';
import { forgetMessages } from '../wallets/google/sweeper.js';
import { ScopeGuard } from '../access/scope/scope-guard.js';
import { BrandService, brandSender } from '../access/brands/brand-service.js';
import { AuditLog } from '../access/audit/audit-log.js';
import { StaffService } from '../access/staff/staff-service.js';
import { TillDeviceService } from '../access/till-devices/till-device-service.js';
import { SecretBox } from '../platform/secrets/secret-box.js';
import { createMailer } from '../platform/email/mailer.js';
import { KeyedHash } from '../platform/secrets/keyed-hash.js';
import { AbuseBudgets } from '../platform/budgets/abuse-budgets.js';
import { PhoneVerification } from '../loyalty/cards/phone-verification.js';

/** Everything a request handler or worker may need, built once per process. */
export interface Services {
  config: Config;
  db: Db;
  dbKind: 'postgres' | 'pglite';
  logger: Logger;
  uow: UnitOfWork;
  outbox: WalletOutbox;
  apiKeys: ApiKeyService;
  brands: BrandService;
  audit: AuditLog;
  staff: StaffService;
  tillDevices: TillDeviceService;
  /** Confines every caller to its brand, programs or store. */
  scope: ScopeGuard;
  programs: ProgramService;
  stores: StoreService;
  cards: CardService;
  messages: CardMessageService;
  erasure: ErasureService;
  ledger: Ledger;
  purchases: PurchaseService;
  points: PointsService;
  jobs: JobRunner;
  periodic: PeriodicJobs;
  sms: SmsService;
  /** HMACs of phone numbers (SMS log, budgets); never a bare hash. */
  phoneHash: KeyedHash;
  budgets: AbuseBudgets;
  /** The join form's code texted to the phone. */
  verification: PhoneVerification;
  cardLinkSms: CardLinkSms;
  till: TillService;
  tillEnrolment: TillEnrolment;
  campaigns: CampaignService;
  birthdays: BirthdayAutomation;
  reminders: PointsReminderAutomation;
  restock: RestockService;
  apple: AppleWallet | undefined;
  google: GoogleWallet;
  cardLinks: CardLinkBuilder[];
  close(): Promise<void>;
}

/**
 * The composition root: every service gets what it needs as constructor arguments, here and only
 * here. How a purchase becomes a push: PurchaseService → Ledger.save → WalletOutbox.cardChanged
 * (pass version + one job per wallet channel, in the till's unit of work) → the unit of work wakes
 * the JobRunner after commit → the 'apple.card-changed' handler pushes to the card's devices.
 */
export async function createServices(config: Config, db: Db, dbKind: Services['dbKind'], logger: Logger): Promise<Services> {
  const jobs = new JobRunner(new JobQueue(db), logger, { pollMs: config.jobPollMs });
  const audit = new AuditLog(db);
  const uow = new UnitOfWork(db, () => jobs.nudge());

  // The wallets that are configured decide the outbox's channels.
  const secrets = new SecretBox(config.secretsKey);
  const apple = await setupAppleWallet(config, db, secrets, logger);
  const google = await setupGoogleWallet(config, db, uow, secrets, logger);
  // Google's channels are on once any issuer exists: a brand may bring its own at any time.
  const outbox = new WalletOutbox({
    get card() {
      return [...(apple ? [apple.cardChannel] : []), ...(google.active() ? [google.cardChannel] : [])];
    },
    get program() {
      return google.active() ? [google.programChannel] : [];
    },
    coalesceMs: config.walletCoalesceMs,
    messagesSet: async (trx, cardIds, deliveredByClass) => {
      if (google.active()) await google.messagesSet(trx, cardIds, deliveredByClass);
    },
  });

  const programs = new ProgramService(uow, outbox);
  const ledger = new Ledger(outbox);
  const points = new PointsService(uow, ledger);
  const forgetDevices = async (trx: Db, cardIds: string[]) => apple?.registrations.forgetCards(trx, cardIds);
  const cards = new CardService(uow, programs, config.defaultPhoneRegion, outbox, points, forgetDevices);
  const campaigns = new CampaignService(uow, programs, ledger, outbox, logger, google.broadcastToClass);
  const birthdays = new BirthdayAutomation(db, campaigns, logger);
  const reminders = new PointsReminderAutomation(db, campaigns, logger);

  jobs.handle({
    'program.changed': (job) => outbox.expandProgramChange(db, job.payload.programId),
    'ledger.expire-points': async () => void (await points.expire(new Date(), { localDaytime: true })),
    'campaign.run': campaigns.runJob,
    'automations.birthday': birthdays.tick,
    'automations.points-reminder': reminders.tick,
    'audit.purge': async () => void (await audit.purge(config.auditRetentionDays)),
    'join.purge': async () => {
      await verification.purge();
      await budgets.purge();
    },
    ...apple?.jobs,
    ...google.jobs,
  });

  // The personal card page (src/pages): what an SMS or an e-mail should link to.
  const cardLinks: CardLinkBuilder[] = [(card) => ({ page: cardPageUrl(config.publicUrl, card) })];
  if (apple) cardLinks.push(apple.link);
  cardLinks.push(google.link);

  const purchases = new PurchaseService(ledger);
  const phoneHash = await KeyedHash.open(db, config.secretsKey, 'phone');
  const budgets = new AbuseBudgets(db);
  const sms = new SmsService(db, createSmsProvider(config.sms, logger), config.sms.limits, logger, phoneHash);
  const verification = new PhoneVerification(db, phoneHash, budgets, async ({ phone, text, program, keyLimitPerHour }) => {
    const sender = await brandSender(db, program.brand_id);
    await sms.sendCardLink({ cardId: null, phone, text, keyId: `join:${program.id}`, keyLimitPerHour, from: sender.from ?? undefined });
  });
  const periodic = new PeriodicJobs(db, logger);
  const scope = new ScopeGuard(db);
  const staff = new StaffService(db, scope, audit, config.publicUrl, createMailer(config.smtp), logger);
  return {
    config,
    db,
    dbKind,
    logger,
    uow,
    outbox,
    apiKeys: new ApiKeyService(db, scope, config.adminApiKey),
    brands: new BrandService(db),
    audit,
    staff,
    tillDevices: new TillDeviceService(db, staff),
    scope,
    programs,
    stores: new StoreService(uow, programs, outbox),
    cards,
    messages: new CardMessageService(uow, cards, outbox),
    // Each capability that keeps something of a person forgets it with the erasure.
    erasure: new ErasureService(uow, outbox, [
      // (Apple devices are forgotten by the push of the voided pass, which needs them: wallets/apple/push-handlers.ts.)
      (trx, { cardIds }) => RestockService.forgetCards(trx, cardIds),
      (trx, { cardIds, phone }) => sms.forget(trx, cardIds, phone),
      (trx, { phone }) => verification.forget(trx, phone),
      (trx, { cardIds }) => forgetMessages(trx, cardIds),
    ]),
    ledger,
    purchases,
    till: new TillService(
      uow,
      purchases,
      ledger,
      {
        list: (storeId) => staff.managersAt(storeId),
        check: (storeId, staffId, pin) => staff.approveAtStore(storeId, staffId, pin),
      },
      budgets,
    ),
    tillEnrolment: new TillEnrolment(db, verification, cards, config.defaultPhoneRegion),
    points,
    jobs,
    periodic,
    campaigns,
    birthdays,
    reminders,
    sms,
    phoneHash,
    budgets,
    verification,
    cardLinkSms: new CardLinkSms(sms, cards, config.publicUrl, (brandId) => brandSender(db, brandId)),
    restock: new RestockService(uow, cards, programs, outbox),
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
