import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/log/logger.js';
import { conflict } from '../../platform/shared/errors.js';
import type { CampaignService } from './campaign-service.js';

/** YYYY-MM-DD + n days, in calendar arithmetic (no time zones involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The program's local date and hour now. */
export function localNow(timeZone: string, now = new Date()): { date: string; hour: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/**
 * Birthday greetings with bonus points: for a run date, the customers whose birthday is
 * `daysBefore` days later get the greeting ({name}, {points}) and the bonus — once per customer per
 * year (birthday_grants), and a second run for the same date creates nothing (the campaign's
 * dedupe key). Customers born on 29 February are greeted on 28 February in other years.
 */
export class BirthdayAutomation {
  constructor(
    private readonly db: Db,
    private readonly campaigns: CampaignService,
    private readonly logger: Logger,
  ) {}

  async runFor(program: Program, runDate: string) {
    const settings = program.birthday_automation;
    if (!settings) throw conflict(`Program "${program.slug}" has no birthday automation; set birthdayAutomation on the program first`);
    const birthday = addDays(runDate, settings.daysBefore);
    const md = birthday.slice(5);
    const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const to = md === '02-28' && !isLeap(Number(birthday.slice(0, 4))) ? '02-29' : md;
    const { campaign, created } = await this.campaigns.create({
      program,
      kind: 'birthday',
      message: settings.text,
      audience: { birthdayBetween: { from: md, to } },
      bonusPoints: settings.bonusPoints,
      holdoutPercent: settings.holdoutPercent ?? 0,
      dedupeKey: `birthday:${program.id}:${birthday}`,
    });
    return { campaignId: campaign.id, birthday, created };
  }

  readonly tick = (): Promise<void> => runDaily(this.db, this.logger, 'birthday_automation', (program, date) => this.runFor(program, date));
}

/**
 * The hourly tick of a daily automation: each program that has it set up, once its local send hour
 * has come. Runs are idempotent per date (campaign dedupe keys), so every tick of the day may try.
 */
export async function runDaily(
  db: Db,
  logger: Logger,
  setting: 'birthday_automation' | 'points_reminder',
  runFor: (program: Program, localDate: string) => Promise<{ created: boolean; campaignId: string }>,
): Promise<void> {
  const programs = await db.selectFrom('programs').selectAll().where(setting, 'is not', null).execute();
  for (const program of programs) {
    const now = localNow(program.timezone);
    if (now.hour < program[setting]!.sendHour) continue;
    const run = await runFor(program, now.date);
    if (run.created) logger.info({ program: program.slug, automation: setting, campaignId: run.campaignId }, 'automation scheduled');
  }
}
