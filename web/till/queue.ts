import { get, set } from 'idb-keyval';

/** An earn-only purchase rung up while the network was down: sent later with the same Idempotency-Key. */
export interface QueuedPurchase {
  key: string;
  body: { barcode: string; receiptId: string; amount: string; redeemPoints: 0 };
  queuedAt: string;
}

const STORE = 'till.queue';

export async function queued(): Promise<QueuedPurchase[]> {
  return (await get<QueuedPurchase[]>(STORE)) ?? [];
}

export async function enqueue(item: QueuedPurchase): Promise<number> {
  const items = await queued();
  items.push(item);
  await set(STORE, items);
  return items.length;
}

/**
 * Sends what waits, oldest first, each with its own key (a purchase that reached the service before
 * the answer was lost is answered from its stored result, never counted twice). Stops at the first
 * network failure; an answer that refuses the purchase (a blocked card…) drops it, reported.
 */
export async function flush(send: (item: QueuedPurchase) => Promise<'sent' | 'refused' | 'offline'>): Promise<{ left: number; refused: number }> {
  let refused = 0;
  for (;;) {
    const items = await queued();
    const first = items[0];
    if (!first) return { left: 0, refused };
    const outcome = await send(first);
    if (outcome === 'offline') return { left: items.length, refused };
    if (outcome === 'refused') refused++;
    const rest = (await queued()).filter((i) => i.key !== first.key);
    await set(STORE, rest);
  }
}
