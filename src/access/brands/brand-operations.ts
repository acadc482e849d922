import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import { toBrandView, type BrandService } from './brand-service.js';

const brandInput = z.strictObject({
  slug: line().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2–63 lowercase letters, digits or dashes'),
  name: line().trim().min(1).max(100),
  privacyUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
});

const brandView = z
  .object({ id: z.uuid(), slug: z.string(), name: z.string(), privacyUrl: z.string().nullable(), createdAt: z.iso.datetime() })
  .meta({ id: 'Brand' });

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
];
