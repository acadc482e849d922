import type { Card, Customer, Program, Store } from '../../platform/db/schema.js';
import { beaconsOf, nearestStores } from './nearest-stores.js';
import { firstName } from '../../loyalty/cards/card-view.js';
import { escapeHtml } from '../../platform/web/html.js';

const BARCODE_FORMATS = {
  QR: 'PKBarcodeFormatQR',
  PDF417: 'PKBarcodeFormatPDF417',
  CODE128: 'PKBarcodeFormatCode128',
} as const;

export interface PassContentInput {
  /** The template's static pass.json. */
  template: Record<string, unknown>;
  passTypeIdentifier: string;
  teamIdentifier: string;
  /** PUBLIC_URL + the web service prefix. */
  webServiceURL: string;
  program: Program;
  card: Card;
  customer: Customer;
  /** All of the program's stores; the ≤10 nearest the home store are put on the pass. */
  stores: Store[];
  /** Open back-in-stock subscriptions, each with its unsubscribe link, shown on the back. */
  restockSubscriptions?: { title: string; size: string | null; unsubscribeUrl: string }[];
}

interface PassField {
  key: string;
  label?: string;
  value: string | number;
  changeMessage?: string;
  [k: string]: unknown;
}

/**
 * The per-card pass.json: the template's design with this card's values. Pure and cheap, so a pass
 * can be rebuilt whenever the card changes. Field keys are the contract with the template:
 * tier, balance, name, number (front), message, terms, stores (back).
 */
export function buildPassJson(input: PassContentInput): Record<string, unknown> {
  const { program, card, customer } = input;
  const stores = nearestStores(input.stores, customer.home_store_id);
  const template = structuredClone(input.template) as Record<string, unknown> & { storeCard?: Record<string, PassField[]> };
  const storeCard = template.storeCard ?? {};
  const voided = card.status === 'voided';

  const values: Record<string, Partial<PassField>> = {
    tier: { value: card.tier },
    // A number with a decimal style: Wallet formats "1 240" / "1,240" for the phone's locale.
    balance: { value: card.balance, numberStyle: 'PKNumberStyleDecimal' },
    name: { value: firstName(customer.name) },
    number: { value: card.card_number },
    // Always present, so a new message is a change of value and its changeMessage reaches the lock
    // screen. An invisible word joiner on every other message makes the same text sent again a new value.
    message: { value: card.message === null ? 'message_none' : card.message_seq % 2 === 0 ? `${card.message}\u2060` : card.message },
    terms: { value: program.terms || 'terms_none' },
    stores: { value: stores.map((s) => (s.address ? `${s.name}: ${s.address}` : s.name)).join('\n') || '—' },
  };
  for (const section of Object.values(storeCard)) {
    for (const field of section) {
      const v = values[field.key];
      if (v) Object.assign(field, v);
      // iOS shows only the first changed field's changeMessage: a version announces one field, the
      // one its change was for (card.announce); every other field changes silently.
      if (field.key !== card.announce) delete field.changeMessage;
    }
  }

  const waiting = input.restockSubscriptions ?? [];
  if (waiting.length && storeCard.backFields) {
    storeCard.backFields.push({
      key: 'restock',
      label: 'restock_label',
      value: waiting.map((w) => `${w.title}${w.size ? ` (${w.size})` : ''}: ${w.unsubscribeUrl}`).join('\n'),
      // Wallet shows links in attributedValue as tappable text.
      attributedValue: waiting
        .map((w) => `${escapeHtml(w.title)}${w.size ? ` (${escapeHtml(w.size)})` : ''} — <a href="${escapeHtml(w.unsubscribeUrl)}">×</a>`)
        .join('\n'),
    });
  }

  const barcodeFormat = BARCODE_FORMATS[program.barcode_format];
  const barcode = { message: card.barcode_value, messageEncoding: 'iso-8859-1', altText: card.card_number };
  const barcodes = [{ format: barcodeFormat, ...barcode }];
  // watchOS cannot show Code 128: the next supported entry (QR) is shown there instead.
  if (program.barcode_format === 'CODE128') barcodes.push({ format: BARCODE_FORMATS.QR, ...barcode });

  const pass: Record<string, unknown> = {
    ...template,
    storeCard,
    description: `${program.name}`,
    organizationName: program.name,
    passTypeIdentifier: input.passTypeIdentifier,
    teamIdentifier: input.teamIdentifier,
    serialNumber: card.serial_number,
    sharingProhibited: true,
    barcodes,
    locations: stores.map((s) => ({ latitude: s.latitude, longitude: s.longitude, ...(s.relevant_text && { relevantText: s.relevant_text }) })),
    beacons: beaconsOf(stores),
  };
  if (voided) {
    // A voided pass stops updating (no web service, no token) and no longer asks for the lock screen.
    pass.voided = true;
    delete pass.locations;
    delete pass.beacons;
  } else {
    pass.webServiceURL = input.webServiceURL;
    pass.authenticationToken = card.auth_token;
  }
  if ((pass.locations as unknown[] | undefined)?.length === 0) delete pass.locations;
  if ((pass.beacons as unknown[] | undefined)?.length === 0) delete pass.beacons;
  return pass;
}
