import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/log/logger.js';
import { conflict } from '../../platform/shared/errors.js';
import { addDays, runDaily } from './birthday-automation.js';
import type { CampaignService } from './campaign-service.js';

/**
 * "You have {points} points, they expire on {date}": for a run date, the cards with points expiring
 * `daysBefore` days later are reminded once (the campaign's dedupe key is that expiry date), within
 * the program's frequency caps and only with marketing consent.
 */
export class PointsReminderAutomation {
  constructor(
    private readonly db: Db,
    private readonly campaigns: CampaignService,
    private readonly logger: Logger,
  ) {}

  async runFor(program: Program, runDate: string) {
    const settings = program.points_reminder;
    if (!settings) throw conflict(`Program "${program.slug}" has no points reminder; set pointsReminder on the program first`);
    const expiresOn = addDays(runDate, settings.daysBefore);
    const { campaign, created } = await this.campaigns.create({
      program,
      kind: 'reminder',
      message: settings.text,
      audience: { pointsExpiringOn: expiresOn },
      bonusPoints: 0,
      holdoutPercent: settings.holdoutPercent ?? 0,
      dedupeKey: `reminder:${program.id}:${expiresOn}`,
    });
    return { campaignId: campaign.id, expiresOn, created };
  }

  readonly tick = (): Promise<void> => runDaily(this.db, this.logger, 'points_reminder', (program, date) => this.runFor(program, date));
}
