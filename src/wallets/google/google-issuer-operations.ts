import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line, multiline } from '../../platform/shared/text.js';
import { AppError } from '../../platform/shared/errors.js';
import type { GoogleIssuers } from './google-issuers.js';
import { brandParams } from '../../access/brands/brand-operations.js';

const issuerInput = z.strictObject({
  issuerId: line()
    .regex(/^[0-9]{1,30}$/, 'must be the numeric issuer id from the Google Pay & Wallet Console')
    .meta({ description: 'The issuer the service account is authorised for' }),
  serviceAccount: z
    .looseObject({ client_email: line().max(320), private_key: multiline().max(10_000) })
    .optional()
    .meta({ description: "The service account's JSON key as Google gives it; sealed with SECRETS_KEY, never returned" }),
  file: line().max(1000).optional().meta({ description: "The key file's path on the server instead (deployment key only)" }),
});

const issuerView = z
  .object({
    issuerId: z.string(),
    clientEmail: z.string(),
    source: z.enum(['stored', 'file', 'deployment']).meta({ description: "deployment: the brand has none of its own and uses the deployment's" }),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'GoogleIssuer' });

/** A brand's own Google issuer: its new cards' objects and classes are made under it; older ones keep theirs. */
export const googleIssuerOperations = (issuers: GoogleIssuers, brandIdOf: (slug: string) => Promise<string>) => [
  operation({
    operationId: 'getGoogleIssuer',
    method: 'get',
    path: '/brands/{brand}/google-issuer',
    tag: 'Brands',
    summary: "The Google issuer a brand's new cards are made under (never its key)",
    roles: ['admin'],
    params: brandParams,
    responses: { 200: { description: 'The issuer', schema: issuerView } },
    errors: [409],
    targets: ({ params }) => [{ brand: params.brand }],
    handler: async ({ params }) => {
      const view = await issuers.view(await brandIdOf(params.brand));
      if (!view) throw new AppError(409, 'Conflict', 'Google Wallet is off for this brand: the deployment has no issuer and the brand none of its own');
      return { status: 200, body: view };
    },
  }),
  operation({
    operationId: 'setGoogleIssuer',
    method: 'put',
    path: '/brands/{brand}/google-issuer',
    tag: 'Brands',
    summary: 'Give a brand its own Google issuer (issuer id and service account)',
    description:
      'The service account must be authorised for the issuer in the Google Pay & Wallet Console. Sent again with the same issuer id it replaces the account; with another, new cards get the new issuer and objects already in wallets stay under theirs (Google ids cannot move). The key is sealed with SECRETS_KEY and never returned.',
    roles: ['admin'],
    params: brandParams,
    body: issuerInput,
    responses: { 200: { description: 'The issuer', schema: issuerView } },
    errors: [409],
    targets: ({ params }) => [{ brand: params.brand }],
    handler: async ({ params, body, principal }) => ({
      status: 200,
      body: await issuers.save(await brandIdOf(params.brand), body, principal.brandId === null),
    }),
  }),
  operation({
    operationId: 'removeGoogleIssuer',
    method: 'delete',
    path: '/brands/{brand}/google-issuer',
    tag: 'Brands',
    summary: "New cards of the brand go back to the deployment's issuer (objects already made keep theirs)",
    roles: ['admin'],
    params: brandParams,
    responses: { 204: { description: 'Done' } },
    errors: [409],
    targets: ({ params }) => [{ brand: params.brand }],
    handler: async ({ params }) => {
      if (!(await issuers.retire(await brandIdOf(params.brand)))) throw new AppError(409, 'Conflict', 'The brand has no issuer of its own');
      return { status: 204 };
    },
  }),
];
