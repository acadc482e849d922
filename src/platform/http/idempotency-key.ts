import type { Request } from 'express';
import { IDEMPOTENCY_KEY } from '../idempotency/idempotency.js';
import { invalidField } from '../shared/errors.js';

/** Money-moving calls must carry an Idempotency-Key, so a till that retries never counts twice. */
export function requireIdempotencyKey(req: Request): string {
  const key = req.get('idempotency-key');
  if (!key) throw invalidField('Idempotency-Key', 'header is required for this operation (a unique id per attempt, reused on retry)');
  if (!IDEMPOTENCY_KEY.test(key)) throw invalidField('Idempotency-Key', 'must be 8–200 characters of letters, digits, "_", "-", ".", ":"');
  return key;
}
