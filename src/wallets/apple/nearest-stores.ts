import type { Store } from '../../platform/db/schema.js';

/** Apple shows at most 10 locations and 10 beacons per pass; Google takes 10 merchantLocations. */
export const MAX_PASS_LOCATIONS = 10;

const EARTH_RADIUS_M = 6_371_000;

export function distanceMetres(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

/**
 * The ≤10 stores a card carries: the home store and those nearest to it, or, without a home store,
 * the program's first stores. Ties keep the stores' listed order, so the choice is stable.
 */
export function nearestStores(stores: Store[], homeStoreId: string | null, limit = MAX_PASS_LOCATIONS): Store[] {
  const home = homeStoreId ? stores.find((s) => s.id === homeStoreId) : undefined;
  if (!home) return stores.slice(0, limit);
  return stores
    .map((store, index) => ({ store, index, d: distanceMetres(home, store) }))
    .sort((a, b) => a.d - b.d || a.index - b.index)
    .slice(0, limit)
    .map((x) => x.store);
}

export interface PassBeacon {
  proximityUUID: string;
  major?: number;
  minor?: number;
  relevantText?: string;
}

/** Beacons of the chosen stores, nearest store first, never more than 10 in all. */
export function beaconsOf(stores: Store[], limit = MAX_PASS_LOCATIONS): PassBeacon[] {
  const beacons: PassBeacon[] = [];
  for (const store of stores) {
    for (const b of store.beacons) {
      if (beacons.length >= limit) return beacons;
      beacons.push({
        proximityUUID: b.proximityUUID,
        ...(b.major !== undefined && { major: b.major }),
        ...(b.minor !== undefined && { minor: b.minor }),
        ...((b.relevantText ?? store.relevant_text) ? { relevantText: b.relevantText ?? store.relevant_text! } : {}),
      });
    }
  }
  return beacons;
}
