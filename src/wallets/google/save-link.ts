import jwt from 'jsonwebtoken';

/**
 * "Save to Google Wallet" link: a skinny JWT naming only the object and its class (both already
 * inserted through the REST API), so the link stays short and carries nothing secret. Signed RS256
 * with the service account's key.
 */
export function saveLink(options: { clientEmail: string; privateKey: string; objectId: string; classId: string; origins?: string[] }): string {
  const token = jwt.sign(
    {
      iss: options.clientEmail,
      aud: 'google',
      typ: 'savetowallet',
      origins: options.origins ?? [],
      payload: { loyaltyObjects: [{ id: options.objectId, classId: options.classId }] },
    },
    options.privateKey,
    { algorithm: 'RS256' },
  );
  return `https://pay.google.com/gp/v/save/${token}`;
}
