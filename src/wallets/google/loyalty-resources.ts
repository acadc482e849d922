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

export interface RestockSubscription {
  title: string;
  size: string | null;
  unsubscribeUrl: string;
}

export interface ObjectInput {
  issuerId: string;
  program: Program;
  card: Card;
  customer: Customer;
  stores: Store[];
  /** The customer's card page (cardPageUrl), linked from the card's details. */
  cardPageUrl?: string;
  /** Open back-in-stock subscriptions, as on the back of the Apple pass, each with its unsubscribe link. */
  restockSubscriptions?: RestockSubscription[];
}

/** Google shows at most 10 links of an object: the card page and 9 subscriptions. */
const MAX_LINKS = 10;
const MAX_RESTOCK = MAX_LINKS - 1;

const localized = (en: string, ru: string) => ({ defaultValue: { language: 'en', value: en }, translatedValues: [{ language: 'ru', value: ru }] });

/**
 * The card as a Google loyalty object, at parity with the Apple pass: the first name, points and
 * tier on the front, the same barcode value, the ≤10 nearest stores, open back-in-stock
 * subscriptions with their unsubscribe links and a link to the card page.
 */
export function buildLoyaltyObject(input: ObjectInput): LoyaltyObjectInput {
  const { card, customer, program } = input;
  const voided = card.status === 'voided';
  // A voided (erased) card shows nothing of the customer's: no subscriptions, no personal link.
  const waiting = voided ? [] : (input.restockSubscriptions ?? []).slice(0, MAX_RESTOCK);
  const cardPage = voided ? undefined : input.cardPageUrl;
  return {
    id: objectIdFor(input.issuerId, card),
    classId: classIdFor(input.issuerId, program),
    state: voided ? 'INACTIVE' : 'ACTIVE',
    accountId: card.card_number,
    // The first name, as the Apple pass shows it; ≤20 characters, cut between graphemes; nothing
    // personal once a customer is erased.
    accountName: truncateText(firstName(customer.name), 20) || card.card_number,
    // A voided (erased) card keeps no message text at Google: PATCH replaces the whole array.
    ...(voided && { messages: [] }),
    ...balanceFields(card),
    barcode: barcodeOf(program, card),
    merchantLocations: nearestStores(input.stores, customer.home_store_id).map((s) => ({ latitude: s.latitude, longitude: s.longitude })),
    // The object's only text modules and links, built here as whole arrays and always sent: PATCH
    // replaces arrays, so a closed subscription disappears and nothing else may send a partial one.
    textModulesData: waiting.length
      ? [
          {
            id: 'restock',
            header: 'Waiting for it to be back',
            localizedHeader: localized('Waiting for it to be back', 'Жду поступления'),
            // 9 lines of ≤50 stay under the 500 characters Google recommends for a body.
            body: waiting.map((w) => truncateText(`${w.title}${w.size ? ` (${w.size})` : ''}`, 50)).join('\n'),
          },
        ]
      : [],
    linksModuleData: {
      uris: [
        ...(cardPage ? [{ id: 'card', uri: cardPage, description: 'Your card', localizedDescription: localized('Your card', 'Ваша карта') }] : []),
        ...waiting.map((w, i) => {
          const title = truncateText(w.title, 30);
          return {
            id: `restock-${i + 1}`,
            uri: w.unsubscribeUrl,
            description: `Stop waiting: ${title}`,
            localizedDescription: localized(`Stop waiting: ${title}`, `Отписаться: ${title}`),
          };
        }),
      ],
    },
  };
}

/**
 * The fields a balance or tier change patches (loyaltyPoints.balance is on Google's notify
 * allow-list). The tier is on the front as the secondary points, as on the Apple pass's header. No
 * arrays here: a PATCH with textModulesData would replace the object's whole list.
 */
export function balanceFields(card: Card): Pick<LoyaltyObjectPatch, 'loyaltyPoints' | 'secondaryLoyaltyPoints'> {
  return {
    loyaltyPoints: { label: 'Points', localizedLabel: localized('Points', 'Баллы'), balance: { int: card.balance } },
    secondaryLoyaltyPoints: { label: 'Tier', localizedLabel: localized('Tier', 'Уровень'), balance: { string: card.tier } },
  };
}

/**
 * The object a save link carries, so that saving creates it when our insert never happened (e.g.
 * the service account was not yet authorised); Google keeps an existing object as it is. Only what
 * the card needs to work at the till: the link is a bearer JWT readable by whoever holds it, so no
 * name, and short (Google gives 1800 characters as the safe length of a save link's JWT).
 */
export function saveObjectFor(issuerId: string, program: Program, card: Card): LoyaltyObjectInput {
  return {
    id: objectIdFor(issuerId, card),
    classId: classIdFor(issuerId, program),
    state: 'ACTIVE',
    accountId: card.card_number,
    ...balanceFields(card),
    barcode: barcodeOf(program, card),
  };
}

/** The same barcode value as Apple's, the card number under it. */
function barcodeOf(program: Pick<Program, 'barcode_format'>, card: Pick<Card, 'barcode_value' | 'card_number'>) {
  return { type: BARCODE_TYPES[program.barcode_format], value: card.barcode_value, alternateText: card.card_number };
}
