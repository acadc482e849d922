import { z } from 'zod';
import { line } from '../../platform/shared/text.js';

export const beaconInput = z.strictObject({
  proximityUUID: z.uuid(),
  major: z.number().int().min(0).max(65535).optional(),
  minor: z.number().int().min(0).max(65535).optional(),
  relevantText: line().trim().max(100).optional(),
});

const storeFields = {
  name: line().trim().min(1).max(100),
  address: line().trim().max(300),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  relevantText: line().trim().max(100).nullable(),
  // Apple shows at most 10 beacons per pass; more per store could never be used.
  beacons: z.array(beaconInput).max(10),
};

export const createStoreInput = z
  .strictObject({
    program: line().min(1),
    ...storeFields,
    address: storeFields.address.default(''),
    relevantText: storeFields.relevantText.optional(),
    beacons: storeFields.beacons.default([]),
  })
  .meta({ id: 'CreateStore' });

export const updateStoreInput = z.strictObject(storeFields).partial().meta({ id: 'UpdateStore' });

export type CreateStoreInput = z.infer<typeof createStoreInput>;
export type UpdateStoreInput = z.infer<typeof updateStoreInput>;
