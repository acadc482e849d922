import type { Services } from './services.js';

/** Moscow stores with coordinates, so locations and beacons show on the demo card. */
const DEMO_STORES = [
  { name: 'Tverskaya', address: 'Tverskaya St 7, Moscow', latitude: 55.7579, longitude: 37.6117, relevantText: 'Tverskaya store is around the corner' },
  { name: 'Arbat', address: 'Arbat St 25, Moscow', latitude: 55.7503, longitude: 37.5935, relevantText: 'Drop in at our Arbat store' },
  { name: 'Kitay-Gorod', address: 'Maroseyka St 2, Moscow', latitude: 55.7568, longitude: 37.6336, relevantText: 'Kitay-Gorod store: new arrivals' },
];

/**
 * An empty development database gets a demo program, so the first `npm start` has something to show.
 * Returns true when it seeded.
 */
export async function seedDemoIfEmpty(services: Services): Promise<boolean> {
  const any = await services.db.selectFrom('programs').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  await services.programs.create({
    slug: 'demo',
    name: 'Demo Rewards',
    currency: 'RUB',
    earnPercent: 10,
    maxRedeemPercent: 30,
    welcomeBonus: 100,
    tiers: [
      { name: 'Silver', minSpend: 0, earnPercent: 10 },
      { name: 'Gold', minSpend: 30000, earnPercent: 12 },
      { name: 'Platinum', minSpend: 100000, earnPercent: 15 },
    ],
    pointsExpireAfterMonths: 12,
    timezone: 'Europe/Moscow',
    terms: '1 point = 1 ₽. Points pay up to 30% of a purchase and expire 12 months after they are earned.',
  });
  for (const [i, store] of DEMO_STORES.entries()) {
    await services.stores.create({
      program: 'demo',
      ...store,
      beacons: [{ proximityUUID: '6f1b9d0e-3c1a-4c5e-9a57-2b1f3d4e5a6b', major: i + 1, relevantText: `Welcome to ${store.name}` }],
    });
  }
  return true;
}
