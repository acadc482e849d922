import { z } from 'zod';
import { line, multiline } from '../../platform/shared/text.js';
import { audienceInput } from './audience.js';
import { MAX_MESSAGE_LENGTH } from '../../loyalty/cards/card-message-service.js';

export const createCampaignInput = z.strictObject({
  program: line().min(1),
  message: multiline().trim().min(1).max(MAX_MESSAGE_LENGTH),
  audience: audienceInput.default({}),
  /** Later than now → scheduled; absent or past → sent at once. */
  sendAt: z.iso.datetime({ offset: true }).optional(),
  /** Points granted with the message (a ledger entry per card). */
  bonusPoints: z.number().int().min(0).max(1_000_000).default(0),
  /** A random share of the audience kept as a control group: not messaged, measured against. */
  holdoutPercent: z.number().int().min(0).max(90).default(0),
  /** Purchases within this many days of the start count as the campaign's (its report's window). */
  attributionDays: z.number().int().min(1).max(90).default(7),
});

export const previewInput = z.strictObject({ program: line().min(1), audience: audienceInput.default({}) });
