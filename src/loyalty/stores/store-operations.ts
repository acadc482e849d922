import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import { createStoreInput, updateStoreInput } from './store-input.js';
import { toStoreView, type StoreService } from './store-service.js';

const idParams = z.object({ id: z.uuid() });

const storeView = z
  .object({
    id: z.uuid(),
    programId: z.uuid(),
    name: z.string(),
    address: z.string(),
    latitude: z.number(),
    longitude: z.number(),
    relevantText: z.string().nullable(),
    beacons: z.array(
      z.object({ proximityUUID: z.string(), major: z.number().int().optional(), minor: z.number().int().optional(), relevantText: z.string().optional() }),
    ),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Store' });

/** Stores are on the cards (locations, beacons, the list on the back): a change refreshes the program's passes. */
export const storeOperations = (stores: StoreService) => [
  operation({
    operationId: 'createStore',
    method: 'post',
    path: '/stores',
    tag: 'Stores',
    summary: 'Add a store to a program',
    roles: ['admin'],
    body: createStoreInput,
    responses: { 201: { description: 'The store', schema: storeView } },
    targets: ({ body }) => [{ program: body.program, field: 'program' }],
    handler: async ({ body }) => ({ status: 201, body: toStoreView(await stores.create(body)) }),
  }),
  operation({
    operationId: 'listStores',
    method: 'get',
    path: '/stores',
    tag: 'Stores',
    summary: "List a program's stores",
    roles: ['admin', 'marketer'],
    query: z.object({ program: line({ error: 'is required (a program slug)' }).min(1).describe('the program slug') }),
    responses: { 200: { description: 'The stores, oldest first', schema: z.object({ items: z.array(storeView) }) } },
    errors: [404],
    targets: ({ query }) => [{ program: query.program, field: 'program' }],
    handler: async ({ query }) => ({ status: 200, body: { items: (await stores.listForProgram(query.program)).map(toStoreView) } }),
  }),
  operation({
    operationId: 'getStore',
    method: 'get',
    path: '/stores/{id}',
    tag: 'Stores',
    summary: 'Get a store',
    roles: ['admin', 'marketer'],
    params: idParams,
    responses: { 200: { description: 'The store', schema: storeView } },
    errors: [404],
    targets: ({ params }) => [{ store: params.id }],
    handler: async ({ params }) => ({ status: 200, body: toStoreView(await stores.get(params.id)) }),
  }),
  operation({
    operationId: 'updateStore',
    method: 'patch',
    path: '/stores/{id}',
    tag: 'Stores',
    summary: 'Change a store (its location, beacons and relevant text are on the cards)',
    roles: ['admin'],
    params: idParams,
    body: updateStoreInput,
    responses: { 200: { description: 'The store', schema: storeView } },
    errors: [404],
    targets: ({ params }) => [{ store: params.id }],
    handler: async ({ params, body }) => ({ status: 200, body: toStoreView(await stores.update(params.id, body)) }),
  }),
];
