import { Router } from 'express';
import { z } from 'zod';
import { allow } from '../../platform/http/auth.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import type { ProgramService } from '../../loyalty/programs/program-service.js';
import type { BirthdayAutomation } from './birthday-automation.js';
import type { PointsReminderAutomation } from './points-reminder.js';
import { createCampaignInput, previewInput } from './campaign-input.js';
import type { CampaignService } from './campaign-service.js';

export const birthdayRunInput = z.strictObject({ program: z.string().min(1), date: z.iso.date() });

export function campaignRoutes(campaigns: CampaignService, birthdays: BirthdayAutomation, reminders: PointsReminderAutomation, programs: ProgramService): Router {
  const router = Router();
  const marketing = allow('admin', 'marketer');

  router.post('/segments/preview', marketing, async (req, res) => {
    const input = parseInput(previewInput, req.body);
    res.json(await campaigns.preview(input.program, input.audience));
  });

  router.post('/campaigns', marketing, async (req, res) => {
    const input = parseInput(createCampaignInput, req.body);
    const program = await programs.requireForInput(input.program);
    const { campaign } = await campaigns.create({
      program,
      kind: 'broadcast',
      message: input.message,
      audience: input.audience,
      sendAt: input.sendAt ? new Date(input.sendAt) : undefined,
      bonusPoints: input.bonusPoints,
    });
    res.status(202).location(`/api/v1/campaigns/${campaign.id}`).json(await campaigns.get(campaign.id));
  });

  router.get('/campaigns/:id', marketing, async (req, res) => {
    res.json(await campaigns.get(parseInput(z.uuid(), pathParam(req, 'id'), 'id')));
  });

  router.post('/campaigns/:id/cancel', marketing, async (req, res) => {
    const id = parseInput(z.uuid(), pathParam(req, 'id'), 'id');
    await campaigns.cancel(id);
    res.json(await campaigns.get(id));
  });

  router.post('/automations/birthday/run', marketing, async (req, res) => {
    const input = parseInput(birthdayRunInput, req.body);
    const program = await programs.requireForInput(input.program);
    const run = await birthdays.runFor(program, input.date);
    res.status(202).json({ ...run, campaign: await campaigns.get(run.campaignId) });
  });

  router.post('/automations/points-reminder/run', marketing, async (req, res) => {
    const input = parseInput(birthdayRunInput, req.body);
    const program = await programs.requireForInput(input.program);
    const run = await reminders.runFor(program, input.date);
    res.status(202).json({ ...run, campaign: await campaigns.get(run.campaignId) });
  });

  return router;
}
