import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line, multiline } from '../../platform/shared/text.js';
import { AppError } from '../../platform/shared/errors.js';
import type { AppleIdentities } from './apple-identities.js';
import { brandParams } from '../../access/brands/brand-operations.js';

const pem = multiline().max(20_000);
const path = line().max(1000);
const identityInput = z.strictObject({
  passTypeIdentifier: line()
    .regex(/^pass\.[A-Za-z0-9.-]+$/, 'must look like pass.com.example.loyalty')
    .optional()
    .meta({ description: "Checked against the certificate's (taken from it when absent)" }),
  teamIdentifier: line()
    .regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Apple team identifier')
    .optional(),
  certificatePem: pem.optional().meta({ description: 'The Pass Type ID certificate (PEM)' }),
  keyPem: pem.optional().meta({ description: 'Its private key (PEM); sealed with SECRETS_KEY, never returned' }),
  keyPassphrase: line().max(200).optional(),
  wwdrPem: pem.optional().meta({ description: 'The Apple WWDR intermediate that issued it (G4)' }),
  files: z
    .strictObject({ certificate: path, key: path, wwdr: path, keyPassphrase: line().max(200).optional() })
    .optional()
    .meta({ description: 'Paths on the server instead of the PEMs (deployment key only)' }),
});

const identityView = z
  .object({
    passTypeIdentifier: z.string(),
    teamIdentifier: z.string(),
    certificateNotAfter: z.iso.datetime(),
    wwdrNotAfter: z.iso.datetime(),
    source: z.enum(['stored', 'files', 'deployment']).meta({ description: "deployment: the brand has none of its own and uses the deployment's" }),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AppleIdentity' });

/** A brand's own Apple identity: new passes are signed and pushed with it; passes already issued keep theirs. */
export const appleIdentityOperations = (identities: AppleIdentities | undefined, brandIdOf: (slug: string) => Promise<string>) => {
  const on = (): AppleIdentities => {
    if (!identities) throw new AppError(409, 'Conflict', 'Apple Wallet is off in this deployment (no APPLE_* settings)');
    return identities;
  };
  return [
    operation({
      operationId: 'getAppleIdentity',
      method: 'get',
      path: '/brands/{brand}/apple-identity',
      tag: 'Brands',
      summary: "The Apple identity a brand's new passes are signed with (never its key)",
      roles: ['admin'],
      params: brandParams,
      responses: { 200: { description: 'The identity', schema: identityView } },
      errors: [409],
      targets: ({ params }) => [{ brand: params.brand }],
      handler: async ({ params }) => {
        const apple = on();
        const own = await apple.view(await brandIdOf(params.brand));
        const d = apple.deployment.signing;
        const body = own ?? {
          passTypeIdentifier: d.passTypeIdentifier,
          teamIdentifier: d.teamIdentifier,
          certificateNotAfter: d.notAfter.toISOString(),
          wwdrNotAfter: d.wwdrNotAfter.toISOString(),
          source: 'deployment' as const,
          updatedAt: null,
        };
        return { status: 200, body };
      },
    }),
    operation({
      operationId: 'setAppleIdentity',
      method: 'put',
      path: '/brands/{brand}/apple-identity',
      tag: 'Brands',
      summary: 'Give a brand its own Apple identity (pass type id certificate, key and WWDR)',
      description:
        'The certificate must be a Pass Type ID certificate issued by the WWDR certificate given, with its key. Sent again with the same pass type id it renews it; with another, new passes get the new one and passes already on phones keep theirs. The key is sealed with SECRETS_KEY and never returned.',
      roles: ['admin'],
      params: brandParams,
      body: identityInput,
      responses: { 200: { description: 'The identity', schema: identityView } },
      errors: [409],
      targets: ({ params }) => [{ brand: params.brand }],
      handler: async ({ params, body, principal }) => ({
        status: 200,
        body: await on().save(await brandIdOf(params.brand), body, principal.brandId === null),
      }),
    }),
    operation({
      operationId: 'removeAppleIdentity',
      method: 'delete',
      path: '/brands/{brand}/apple-identity',
      tag: 'Brands',
      summary: "New passes of the brand go back to the deployment's identity (passes already issued keep theirs)",
      roles: ['admin'],
      params: brandParams,
      responses: { 204: { description: 'Done' } },
      errors: [409],
      targets: ({ params }) => [{ brand: params.brand }],
      handler: async ({ params }) => {
        if (!(await on().retire(await brandIdOf(params.brand))))
          throw new AppError(409, 'Conflict', "The brand has no identity of its own: it uses the deployment's");
        return { status: 204 };
      },
    }),
  ];
};
