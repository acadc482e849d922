import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import { SMS_SENDER } from '../../platform/config/sms-config.js';
import { toBrandView, type BrandService } from './brand-service.js';

const brandInput = z.strictObject({
  slug: line().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2–63 lowercase letters, digits or dashes'),
  name: line().trim().min(1).max(100),
  privacyUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
});

const brandSettings = z.strictObject({
  name: line().trim().min(1).max(100).optional(),
  privacyUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .nullable()
    .optional(),
  smsSender: line().regex(SMS_SENDER.pattern, SMS_SENDER.message).nullable().optional(),
  smsSignature: line().trim().min(1).max(40).nullable().optional(),
});

const brandView = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    privacyUrl: z.string().nullable(),
    smsSender: z.string().nullable().meta({ description: "The sender id or number of the brand's texts (null: the deployment's)" }),
    smsSignature: z.string().nullable().meta({ description: "Appended on its own line to the brand's texts" }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Brand' });

/** A brand named in the path by its slug. */
export const brandParams = z.object({ brand: line().max(63) });

export const brandOperations = (brands: BrandService) => [
  operation({
    operationId: 'createBrand',
    method: 'post',
    path: '/brands',
    tag: 'Brands',
    summary: 'Add a brand (a tenant: its programs, stores, customers, keys)',
    description: 'Only the deployment key (ADMIN_API_KEY) manages brands; a brand admin key answers 403.',
    roles: ['admin'],
    body: brandInput,
    responses: { 201: { description: 'The brand', schema: brandView } },
    errors: [409],
    targets: () => [],
    handler: async ({ body, principal }) => ({ status: 201, body: toBrandView(await brands.create(body, principal)) }),
  }),
  operation({
    operationId: 'listBrands',
    method: 'get',
    path: '/brands',
    tag: 'Brands',
    summary: 'List brands (a brand key sees its own)',
    roles: ['admin'],
    responses: { 200: { description: 'The brands', schema: z.object({ items: z.array(brandView) }) } },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: { items: (await brands.list(principal)).map(toBrandView) } }),
  }),
  operation({
    operationId: 'getBrand',
    method: 'get',
    path: '/brands/{brand}',
    tag: 'Brands',
    summary: "A brand's settings",
    description: 'For the deployment key and the brand-wide admins of that brand.',
    roles: ['admin'],
    params: brandParams,
    responses: { 200: { description: 'The brand', schema: brandView } },
    targets: ({ params }) => [{ brand: params.brand }],
    handler: async ({ params }) => ({ status: 200, body: toBrandView(await brands.get(params.brand)) }),
  }),
  operation({
    operationId: 'updateBrand',
    method: 'patch',
    path: '/brands/{brand}',
    tag: 'Brands',
    summary: "Change a brand's name, privacy policy link, or its texts' sender and signature",
    description:
      'A field set to null goes back to the default (no privacy link; the deployment’s SMS sender; no signature). The SMS sender is set by the deployment key only (it is the gateway account’s).',
    roles: ['admin'],
    params: brandParams,
    body: brandSettings,
    responses: { 200: { description: 'The brand', schema: brandView } },
    targets: ({ params }) => [{ brand: params.brand }],
    handler: async ({ params, body, principal }) => ({ status: 200, body: toBrandView(await brands.update(params.brand, body, principal)) }),
  }),
];
