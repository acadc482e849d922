import jwt from 'jsonwebtoken';
import type { LoyaltyObjectInput } from './wallet-api.js';

/** Google gives 1800 characters as the safe length of a save link. */
export const MAX_SAVE_LINK_LENGTH = 1800;

/**
 * "Save to Google Wallet" link: a JWT carrying a slim but complete loyalty object (saveObjectFor),
 * signed RS256 with the service account's key. When the object exists Google saves it as it is;
 * when our insert never happened (e.g. a 403 before the account was authorised) Google creates it
 * from the link, so a link handed out works either way. The class is not in the link (it would not
 * fit): it must have been inserted.
 *
 * Should an object ever not fit, the link names only the object and its class (a skinny JWT, valid
 * once the object is inserted) rather than be cut by a browser or refused.
 */
export function saveLink(options: { clientEmail: string; privateKey: string; object: LoyaltyObjectInput; origins?: string[] }): string {
  const sign = (object: LoyaltyObjectInput) =>
    'https://pay.google.com/gp/v/save/' +
    jwt.sign(
      { iss: options.clientEmail, aud: 'google', typ: 'savetowallet', origins: options.origins ?? [], payload: { loyaltyObjects: [object] } },
      options.privateKey,
      { algorithm: 'RS256' },
    );
  const full = sign(options.object);
  return full.length < MAX_SAVE_LINK_LENGTH ? full : sign({ id: options.object.id, classId: options.object.classId });
}
