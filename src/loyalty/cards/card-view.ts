import { z } from 'zod';
import type { Card, Customer, Program } from '../../platform/db/schema.js';

/** The given name shown on cards, pages and at the till: the first word of the name. */
export function firstName(name: string | null): string {
  return (name ?? '').trim().split(/\s+/)[0] ?? '';
}

/** The customer's personal card page (src/pages): what texts and links point to. */
export function cardPageUrl(publicUrl: string, card: Pick<Card, 'link_token'>): string {
  return `${publicUrl}/c/${card.link_token}`;
}

/** Wallet capabilities add their links (apple, google, page) here. */
export type CardLinkBuilder = (card: Card, program: Program) => Record<string, string | null> | Promise<Record<string, string | null>>;

/** Every capability's links of a card (a Google link is signed with the card's issuer's key, looked up). */
export async function cardLinksOf(card: Card, program: Program, links: CardLinkBuilder[]): Promise<Record<string, string | null>> {
  return Object.assign({ apple: null, google: null }, ...(await Promise.all(links.map((build) => build(card, program))))) as Record<string, string | null>;
}

export async function toCardView(card: Card, program: Program, links: CardLinkBuilder[], customer?: Customer) {
  return {
    cardNumber: card.card_number,
    serialNumber: card.serial_number,
    barcode: card.barcode_value,
    status: card.status,
    balance: card.balance,
    tier: card.tier,
    message: card.message,
    customerId: card.customer_id,
    createdAt: card.created_at.toISOString(),
    updatedAt: card.updated_at.toISOString(),
    links: await cardLinksOf(card, program, links),
    ...(customer && { customer: toCustomerView(customer) }),
  };
}

export function toCustomerView(c: Customer) {
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    email: c.email,
    birthday: c.birthday,
    homeStoreId: c.home_store_id,
    marketingConsent: c.marketing_consent,
    erasedAt: c.erased_at?.toISOString() ?? null,
  };
}

export const customerView = z
  .object({
    id: z.uuid(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    birthday: z.string().nullable(),
    homeStoreId: z.uuid().nullable(),
    marketingConsent: z.boolean(),
    erasedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Customer' });

/** A card as the API shows it (toCardView). */
export const cardView = z
  .object({
    cardNumber: z.string(),
    serialNumber: z.string(),
    barcode: z.string(),
    status: z.enum(['active', 'blocked', 'voided']),
    balance: z.number().int(),
    tier: z.string(),
    message: z.string().nullable(),
    customerId: z.uuid(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    links: z.record(z.string(), z.string().nullable()).describe('page: the personal card page; apple: the .pkpass; google: the save link (null when off)'),
    customer: customerView.optional().describe('on GET only'),
  })
  .meta({ id: 'Card' });
