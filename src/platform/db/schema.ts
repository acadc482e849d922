import type { ColumnType, Generated, Selectable, Updateable } from 'kysely';
import type { Lang } from '../web/lang.js';

/** Column types as kysely sees them; mirrors migrations/. */
type CreatedAt = ColumnType<Date, never, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TierDefinition {
  name: string;
  /** Accumulated spend, in minor units, from which the tier applies. */
  minSpendMinor: number;
  earnRateBp: number;
}

export interface BeaconDefinition {
  proximityUUID: string;
  major?: number;
  minor?: number;
  relevantText?: string;
}

export interface ProgramsTable {
  id: Generated<string>;
  brand_id: string;
  slug: string;
  name: string;
  currency: Generated<string>;
  earn_rate_bp: Generated<number>;
  max_redeem_bp: Generated<number>;
  welcome_bonus: Generated<number>;
  tiers: ColumnType<TierDefinition[], string, string>;
  points_expire_after_months: number | null;
  timezone: Generated<string>;
  design: Generated<string>;
  barcode_format: Generated<'QR' | 'PDF417' | 'CODE128'>;
  terms: Generated<string>;
  privacy_policy_url: string | null;
  /** Refunds above this (minor units) need a store manager's PIN at the till; null: none do. */
  refund_approval_above_minor: number | null;
  /** Joining by the form needs the code texted to the phone (null: when texts can reach phones). */
  verify_phone: boolean | null;
  /** Countries whose numbers may join (null: the deployment's DEFAULT_PHONE_REGION). */
  phone_regions: string[] | null;
  marketing_caps: ColumnType<MarketingCaps, string | undefined, string>;
  birthday_automation: ColumnType<BirthdayAutomation | null, string | null | undefined, string | null>;
  points_reminder: ColumnType<PointsReminder | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface MarketingCaps {
  perDay: number;
  perWeek: number;
}

export interface BirthdayAutomation {
  /** Days before the birthday the greeting goes out (0 = on the day). */
  daysBefore: number;
  /** Local hour (program time zone) from which the daily run sends. */
  sendHour: number;
  bonusPoints: number;
  /** Greeting with {name} and {points}. */
  text: string;
  /** Share of each run kept as its control group (absent in settings saved before it existed). */
  holdoutPercent?: number;
}

export interface PointsReminder {
  /** How many days before points expire the reminder goes out. */
  daysBefore: number;
  sendHour: number;
  /** With {name}, {points} (expiring) and {date}. */
  text: string;
  holdoutPercent?: number;
}

export interface StoresTable {
  id: Generated<string>;
  program_id: string;
  name: string;
  address: Generated<string>;
  latitude: number;
  longitude: number;
  relevant_text: string | null;
  beacons: ColumnType<BeaconDefinition[], string | undefined, string>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CustomersTable {
  id: Generated<string>;
  program_id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  birthday: string | null;
  home_store_id: string | null;
  marketing_consent: Generated<boolean>;
  max_messages_per_week: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  erased_at: Date | null;
}

export type ConsentKind = 'personal_data' | 'marketing';

export interface ConsentsTable {
  id: Generated<number>;
  customer_id: string;
  kind: ConsentKind;
  granted: boolean;
  source: string;
  store_id: string | null;
  /** Who changed it: a key id, `staff:<id>`, or `customer` (a verified channel of their own). */
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

/** What a verified join will enrol once the code is entered. */
export interface PendingEnrolment {
  name: string;
  birthday?: string | undefined;
  marketing: boolean;
  homeStoreId?: string | undefined;
  source: string;
  lang: 'ru' | 'en';
}

export interface PhoneVerificationsTable {
  id: string;
  program_id: string;
  phone: string;
  enrolment: ColumnType<PendingEnrolment, string, string>;
  code_hash: string;
  /** Where the code is answered: the join form's page, or the till that asked for it. */
  channel: Generated<'join' | 'till'>;
  attempts: Generated<number>;
  sends: Generated<number>;
  last_sent_at: Date | null;
  expires_at: Date;
  created_at: CreatedAt;
}

export interface AbuseCountersTable {
  bucket: string;
  window_start: Date;
  count: number;
}

export type CardStatus = 'active' | 'blocked' | 'voided';

export interface CardsTable {
  id: Generated<string>;
  program_id: string;
  customer_id: string;
  card_number: string;
  serial_number: string;
  barcode_value: string;
  status: Generated<CardStatus>;
  tier: string;
  balance: Generated<number>;
  lifetime_spend_minor: Generated<number>;
  auth_token: string;
  link_token: string;
  message: string | null;
  pass_version: Generated<number>;
  pass_updated_at: Timestamp;
  /** The transaction that wrote this pass version (xid8, as text). */
  pass_xid: Generated<string>;
  /** The field this pass version announces on the lock screen; null: it changes silently. */
  announce: Generated<'balance' | 'message' | null>;
  message_seq: Generated<number>;
  /** The Apple identity its pass was first signed with (null: no pass built yet); it keeps it. */
  apple_pass_type_id: Generated<string | null>;
  /** How and where it was issued (qr, sms, poster, till, import…), for the analytics. */
  source: Generated<string>;
  issued_store_id: Generated<string | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type Role = 'admin' | 'marketer' | 'pos';

export interface BrandsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  privacy_url: string | null;
  /** The sender id or number the brand's texts go out from (null: the deployment's). */
  sms_sender: string | null;
  /** Appended to the brand's texts, e.g. "— Coffee & Co" (null: none). */
  sms_signature: string | null;
  created_at: CreatedAt;
}

/** Sealed PEMs (SECRETS_KEY), or paths on the server (set by the deployment key only). */
export type AppleCredentials = { sealed: string } | { files: { certificate: string; key: string; wwdr: string }; sealedPassphrase?: string };

/** The sealed service account (SECRETS_KEY), or its key file on the server (deployment key only). */
export type GoogleCredentials = { sealed: string } | { file: string };

export type WalletChannel = 'apple' | 'google' | 'android' | 'web';
export type WalletEventKind = 'installed' | 'removed' | 'pass_fetched' | 'push_sent' | 'push_failed' | 'message_shown' | 'message_silent';

/** Append-only; installs and removals are written by triggers (migrations/0022_analytics.ts). */
export interface WalletEventsTable {
  id: Generated<number>;
  program_id: string;
  card_id: string;
  channel: WalletChannel;
  event: WalletEventKind;
  card_delta: Generated<number>;
  at: ColumnType<Date, Date | undefined, never>;
}

export interface PosReceiptsTable {
  store_id: string;
  receipt_id: string;
  amount_minor: number;
  created_at: CreatedAt;
}

export interface GoogleIssuersTable {
  issuer_id: string;
  brand_id: string;
  client_email: string;
  credentials: GoogleCredentials;
  /** The one new cards of the brand get; older objects stay under the issuer they were made with. */
  current: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface AppleIdentitiesTable {
  pass_type_id: string;
  brand_id: string;
  team_id: string;
  credentials: AppleCredentials;
  certificate_not_after: Date;
  wwdr_not_after: Date;
  /** The one new passes of the brand are signed with; older ones keep serving their passes. */
  current: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  brand_id: string | null;
  actor_kind: 'deployment' | 'key' | 'staff';
  actor_id: string;
  actor_name: string;
  role: string;
  action: string;
  target: ColumnType<unknown[], string, never>;
  status: number | null;
  ip: string | null;
}

export type StaffRole = 'brand_admin' | 'marketer' | 'store_manager' | 'cashier';

export interface StaffTable {
  id: Generated<string>;
  brand_id: string;
  email: string;
  name: string;
  role: StaffRole;
  program_ids: string[] | null;
  store_id: string | null;
  password_hash: string | null;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  created_by: string;
  created_at: CreatedAt;
  disabled_at: Date | null;
  pin_hash: string | null;
  pin_failures: Generated<number>;
  pin_locked_until: Date | null;
}

export interface TillDevicesTable {
  id: Generated<string>;
  store_id: string;
  name: string;
  token_hash: string;
  paired_by: string;
  created_at: CreatedAt;
  last_seen_at: Date | null;
  revoked_at: Date | null;
}

export interface StaffTokensTable {
  token_hash: string;
  staff_id: string;
  kind: 'invite' | 'reset';
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

export interface StaffSessionsTable {
  id_hash: string;
  staff_id: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Date;
  revoked_at: Date | null;
  ip: string | null;
  device_id: string | null;
}

export interface ApiKeysTable {
  id: Generated<string>;
  name: string;
  role: Role;
  brand_id: string;
  /** null: every program of the brand. */
  program_ids: string[] | null;
  store_id: string | null;
  key_hash: string;
  key_prefix: string;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  dedupe_key: string | null;
  payload: ColumnType<Record<string, unknown>, string | undefined, string>;
  run_at: Timestamp;
  attempts: Generated<number>;
  locked_until: Date | null;
  last_error: string | null;
  failed_at: Date | null;
  created_at: CreatedAt;
}

export interface AppleDevicesTable {
  device_library_id: string;
  /** A device's push token is per pass type id (APNs topic). */
  pass_type_id: string;
  push_token: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AppleRegistrationsTable {
  device_library_id: string;
  pass_type_id: string;
  card_id: string;
  created_at: CreatedAt;
}

export type LedgerKind = 'earn' | 'redeem' | 'refund_earn' | 'refund_redeem' | 'welcome' | 'birthday' | 'bonus' | 'adjustment' | 'expiry';

export interface PurchasesTable {
  id: Generated<number>;
  card_id: string;
  store_id: string;
  /** The store's program (the program's period is one index range). */
  program_id: string;
  receipt_id: string;
  amount_minor: number;
  redeemed_points: number;
  earned_points: number;
  refunded_minor: Generated<number>;
  /** Who rang it up: a key id or staff:<id>, and their name (null: before tills recorded it). */
  cashier_id: string | null;
  cashier: string | null;
  /** The store manager whose PIN approved a refund above the program's limit (staff:<id>). */
  refund_approved_by: string | null;
  /**
   * The card's previous two counted purchases in the program, and at this store (null: none).
   * Kept by the purchase chain (purchase-chain.ts); analytics counts distinct customers with them.
   */
  prev_at: Generated<Date | null>;
  prev2_at: Generated<Date | null>;
  prev_at_store: Generated<Date | null>;
  prev2_at_store: Generated<Date | null>;
  created_at: CreatedAt;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  card_id: string;
  /** The card's program, kept on the entry for the period queries. */
  program_id: string;
  kind: LedgerKind;
  points: number;
  amount_minor: number | null;
  store_id: string | null;
  receipt_id: string | null;
  purchase_id: number | null;
  reason: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface PointLotsTable {
  id: Generated<number>;
  card_id: string;
  entry_id: number;
  points: number;
  remaining: number;
  expires_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status: number;
  response: ColumnType<unknown, string, string>;
  created_at: CreatedAt;
}

export interface GoogleObjectsTable {
  card_id: string;
  object_id: string;
  synced_balance: number | null;
  synced_tier: string | null;
  synced_message_seq: Generated<number>;
  synced_version: number | null;
  synced_hash: string | null;
  messages_sent: Generated<number>;
  saved: Generated<boolean>;
  saved_at: Date | null;
  removed_at: Date | null;
  last_error: string | null;
  lease_until: Date | null;
  lease_token: string | null;
  full_sync_due: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface GoogleNotificationsTable {
  id: Generated<number>;
  card_id: string;
  kind: 'message' | 'update' | 'class';
  notified: boolean;
  /** An update's pass version, a message's seq, a class message's number. */
  ref: number;
  created_at: CreatedAt;
}

export type GoogleMessageStatus = 'pending' | 'sent' | 'silent' | 'skipped';

export interface GoogleMessagesTable {
  card_id: string;
  seq: number;
  text: string | null;
  status: Generated<GoogleMessageStatus>;
  created_at: CreatedAt;
  sent_at: Date | null;
}

export interface GoogleChannelTable {
  issuer_id: string;
  tokens: number;
  refreshed_at: Date;
  rate: number | null;
  throttled_at: Date | null;
  paused_until: Date | null;
  pause_reason: string | null;
}

export interface GoogleClassesTable {
  program_id: string;
  class_id: string;
  synced_at: Date | null;
  last_error: string | null;
}

export interface GoogleCallbackNoncesTable {
  nonce: string;
  received_at: CreatedAt;
}

export type CampaignKind = 'broadcast' | 'birthday' | 'reminder';
export type CampaignStatus = 'scheduled' | 'running' | 'completed' | 'cancelled';
/** holdout: chosen at the start to not be messaged, the control group the campaign is measured against. */
export type DeliveryStatus = 'pending' | 'sent' | 'skipped_consent' | 'skipped_cap' | 'skipped_status' | 'holdout';

export interface CampaignsTable {
  id: Generated<string>;
  program_id: string;
  kind: CampaignKind;
  message: string;
  audience: ColumnType<Record<string, unknown>, string, string>;
  send_at: Timestamp;
  bonus_points: Generated<number>;
  status: Generated<CampaignStatus>;
  dedupe_key: string | null;
  created_at: CreatedAt;
  started_at: Date | null;
  completed_at: Date | null;
  google_class_message: Generated<boolean>;
  holdout_percent: Generated<number>;
  attribution_days: Generated<number>;
}

export interface CampaignDeliveriesTable {
  campaign_id: string;
  card_id: string;
  status: DeliveryStatus;
  apple: Generated<boolean>;
  google: Generated<boolean>;
  created_at: CreatedAt;
  sent_at: Date | null;
}

export interface BirthdayGrantsTable {
  customer_id: string;
  year: number;
  campaign_id: string;
}

export type SmsStatus = 'pending' | 'sent' | 'failed' | 'rate_limited';

export interface SmsMessagesTable {
  id: Generated<number>;
  card_id: string | null;
  /** HMAC-SHA256 (hex, server secret) of the E.164 number; null once the customer is erased. */
  phone_hash: string | null;
  /** The API key's id, or 'bootstrap' for ADMIN_API_KEY. */
  key_id: string;
  provider: string;
  status: SmsStatus;
  segments: number;
  provider_message_id: string | null;
  error: string | null;
  created_at: CreatedAt;
}

export interface Database {
  programs: ProgramsTable;
  stores: StoresTable;
  customers: CustomersTable;
  consents: ConsentsTable;
  cards: CardsTable;
  brands: BrandsTable;
  audit_log: AuditLogTable;
  staff: StaffTable;
  staff_tokens: StaffTokensTable;
  staff_sessions: StaffSessionsTable;
  till_devices: TillDevicesTable;
  api_keys: ApiKeysTable;
  jobs: JobsTable;
  apple_identities: AppleIdentitiesTable;
  google_issuers: GoogleIssuersTable;
  wallet_events: WalletEventsTable;
  pos_receipts: PosReceiptsTable;
  server_secrets: ServerSecretsTable;
  phone_verifications: PhoneVerificationsTable;
  abuse_counters: AbuseCountersTable;
  apple_devices: AppleDevicesTable;
  apple_registrations: AppleRegistrationsTable;
  purchases: PurchasesTable;
  ledger_entries: LedgerEntriesTable;
  point_lots: PointLotsTable;
  idempotency_keys: IdempotencyKeysTable;
  google_objects: GoogleObjectsTable;
  google_notifications: GoogleNotificationsTable;
  google_messages: GoogleMessagesTable;
  google_channel: GoogleChannelTable;
  google_classes: GoogleClassesTable;
  google_callback_nonces: GoogleCallbackNoncesTable;
  sms_messages: SmsMessagesTable;
  campaigns: CampaignsTable;
  campaign_deliveries: CampaignDeliveriesTable;
  birthday_grants: BirthdayGrantsTable;
  restocks: RestocksTable;
  restock_subscriptions: RestockSubscriptionsTable;
}

export type Program = Selectable<ProgramsTable>;
export type Brand = Selectable<BrandsTable>;
export type Store = Selectable<StoresTable>;
export type Customer = Selectable<CustomersTable>;
export type Card = Selectable<CardsTable>;
export type Job = Selectable<JobsTable>;
export type Campaign = Selectable<CampaignsTable>;
export type CardUpdate = Updateable<CardsTable>;

export type RestockSubscriptionStatus = 'open' | 'notified' | 'cancelled';

export interface RestocksTable {
  id: Generated<string>;
  program_id: string;
  sku: string;
  /** null: every size. */
  size: string | null;
  /** null: every store. */
  store_id: string | null;
  lang: Generated<Lang>;
  notified_count: Generated<number>;
  created_at: CreatedAt;
}

export interface RestockSubscriptionsTable {
  id: Generated<string>;
  program_id: string;
  card_id: string;
  sku: string;
  /** null: any size. */
  size: string | null;
  /** null: any store. */
  store_id: string | null;
  title: string;
  unsubscribe_token: string;
  status: Generated<RestockSubscriptionStatus>;
  created_at: CreatedAt;
  notified_at: Date | null;
  cancelled_at: Date | null;
  restock_id: string | null;
}

export type Restock = Selectable<RestocksTable>;
export type RestockSubscription = Selectable<RestockSubscriptionsTable>;
