import { truncateText } from '../../platform/shared/text.js';
import { firstName } from '../../loyalty/cards/card-view.js';
import type { Card, Customer, Program, Store } from '../../platform/db/schema.js';
import { nearestStores } from '../apple/nearest-stores.js';
import type { LoyaltyClassInput, LoyaltyObjectInput, LoyaltyObjectPatch } from './wallet-api.js';

/** Google's enums are plain strings in the generated types; these are the ones we send. */
type BarcodeType = 'QR_CODE' | 'PDF_417' | 'CODE_128';

const BARCODE_TYPES: Record<Program['barcode_format'], BarcodeType> = { QR: 'QR_CODE', PDF417: 'PDF_417', CODE128: 'CODE_128' };

/** Ids are "<issuerId>.<suffix>" with the suffix in [A-Za-z0-9._-]. */
export const classIdFor = (issuerId: string, program: Pick<Program, 'slug'>) => `${issuerId}.${program.slug}`;
export const objectIdFor = (issuerId: string, card: Pick<Card, 'serial_number'>) => `${issuerId}.${card.serial_number}`;

export interface ClassInput {
  issuerId: string;
  program: Program;
  stores: Store[];
  /** The design's 660×660 logo (Google masks it to a circle). */
  logoUrl: string;
  /** The design's 1032×336 banner, shown on the front of every card of the class. */
  heroUrl?: string;
  callbackUrl: string;
  backgroundColor: string;
}

export function buildLoyaltyClass(input: ClassInput): LoyaltyClassInput {
  return {
    id: classIdFor(input.issuerId, input.program),
    issuerName: input.program.name,
    programName: input.program.name,
    programLogo: { sourceUri: { uri: input.logoUrl }, contentDescription: { defaultValue: { language: 'en', value: input.program.name } } },
    ...(input.heroUrl && {
      heroImage: { sourceUri: { uri: input.heroUrl }, contentDescription: { defaultValue: { language: 'en', value: input.program.name } } },
    }),
    hexBackgroundColor: input.backgroundColor,
    // Google requires UNDER_REVIEW on insert and on every update of an approved class.
    reviewStatus: 'UNDER_REVIEW',
    // Google notifies near these (≤10); the old `locations` field no longer triggers anything.
    merchantLocations: input.stores.slice(0, 10).map((s) => ({ latitude: s.latitude, longitude: s.longitude })),
    callbackOptions: { url: input.callbackUrl },
    multipleDevicesAndHoldersAllowedStatus: 'ONE_USER_ALL_DEVICES',
    // Always sent: PATCH replaces whole arrays, and an omitted one would keep the old terms showing.
    textModulesData: input.program.terms ? [{ id: 'terms', header: 'Terms', body: truncateText(input.program.terms, 2000) }] : [],
  };
}

export interface ObjectInput {
  issuerId: string;
  program: Program;
  card: Card;
  customer: Customer;
  stores: Store[];
}

/** The card as a Google loyalty object: the same barcode value as Apple's, the ≤10 nearest stores. */
export function buildLoyaltyObject(input: ObjectInput): LoyaltyObjectInput {
  const { card, customer, program } = input;
  return {
    id: objectIdFor(input.issuerId, card),
    classId: classIdFor(input.issuerId, program),
    state: card.status === 'voided' ? 'INACTIVE' : 'ACTIVE',
    accountId: card.card_number,
    // The first name, as the Apple pass shows it; ≤20 characters, cut between graphemes; nothing
    // personal once a customer is erased.
    accountName: truncateText(firstName(customer.name), 20) || card.card_number,
    // A voided (erased) card keeps no message text at Google: PATCH replaces the whole array.
    ...(card.status === 'voided' && { messages: [] }),
    ...balanceFields(card),
    barcode: { type: BARCODE_TYPES[program.barcode_format], value: card.barcode_value, alternateText: card.card_number },
    merchantLocations: nearestStores(input.stores, customer.home_store_id).map((s) => ({ latitude: s.latitude, longitude: s.longitude })),
  };
}

/** The fields a balance or tier change patches (loyaltyPoints.balance is on Google's notify allow-list). */
export function balanceFields(card: Card): Pick<LoyaltyObjectPatch, 'loyaltyPoints' | 'textModulesData'> {
  return {
    loyaltyPoints: {
      label: 'Points',
      localizedLabel: { defaultValue: { language: 'en', value: 'Points' }, translatedValues: [{ language: 'ru', value: 'Баллы' }] },
      balance: { int: card.balance },
    },
    textModulesData: [
      {
        id: 'tier',
        header: 'Tier',
        localizedHeader: { defaultValue: { language: 'en', value: 'Tier' }, translatedValues: [{ language: 'ru', value: 'Уровень' }] },
        body: card.tier,
      },
    ],
  };
}
