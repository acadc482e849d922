/**
 * A marketer sets up the program's automations on their own (the rest of the program's rules stay
 * the admin's): PUT sets one, DELETE turns it off, bad settings are a 400 that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
let marketer: string;

beforeAll(async () => {
  svc = await startTestService();
  await createProgram(svc, { slug: 'auto', name: 'Auto', timezone: 'Europe/Moscow' });
  await createProgram(svc, { slug: 'elsewhere', name: 'Elsewhere', timezone: 'Europe/Moscow' });
  const key = await svc.api('POST', '/api/v1/api-keys', { name: 'Auto marketer', role: 'marketer', programs: ['auto'] });
  expect(key.status).toBe(201);
  marketer = key.body.key;
});
afterAll(async () => {
  await svc?.stop();
});

describe('automation settings', () => {
  it('a marketer sets the birthday message and the points reminder, and turns one off', async () => {
    const birthday = await svc.api(
      'PUT',
      '/api/v1/programs/auto/automations/birthday',
      { text: 'С днём рождения!', bonusPoints: 200, holdoutPercent: 10 },
      marketer,
    );
    expect(birthday.status, JSON.stringify(birthday.body)).toBe(200);
    expect(birthday.body.birthdayAutomation).toEqual({ daysBefore: 0, sendHour: 10, bonusPoints: 200, text: 'С днём рождения!', holdoutPercent: 10 });
    const reminder = await svc.api('PUT', '/api/v1/programs/auto/automations/points-reminder', { text: 'Баллы сгорают', daysBefore: 7 }, marketer);
    expect(reminder.status).toBe(200);
    expect(reminder.body.pointsReminder).toEqual({ daysBefore: 7, sendHour: 11, text: 'Баллы сгорают', holdoutPercent: 0 });
    expect((await svc.api('GET', '/api/v1/programs/auto')).body.birthdayAutomation.bonusPoints).toBe(200);

    const off = await svc.api('DELETE', '/api/v1/programs/auto/automations/birthday', undefined, marketer);
    expect(off.status).toBe(200);
    expect(off.body.birthdayAutomation).toBeNull();
    expect(off.body.pointsReminder).not.toBeNull();
    // The program's other rules stay the admin's.
    expect((await svc.api('PATCH', '/api/v1/programs/auto', { welcomeBonus: 1 }, marketer)).status).toBe(403);
  });

  it('refuses bad settings with a 400 naming the field, and changes nothing', async () => {
    const before = (await svc.api('GET', '/api/v1/programs/auto')).body.pointsReminder;
    for (const [body, field] of [
      [{ text: '' }, 'text'],
      [{ text: 'x', daysBefore: 0 }, 'daysBefore'],
      [{ text: 'x', bonusPoints: 5 }, '(body)'], // a reminder has no points: an unknown key
      [{ text: 'x', holdoutPercent: 95 }, 'holdoutPercent'],
    ] as const) {
      const res = await svc.api('PUT', '/api/v1/programs/auto/automations/points-reminder', body, marketer);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: any) => e.field)).toEqual([field]);
      if (field === '(body)') expect(JSON.stringify(res.body.errors)).toContain('bonusPoints');
    }
    expect((await svc.api('GET', '/api/v1/programs/auto')).body.pointsReminder).toEqual(before);
    expect((await svc.api('PUT', '/api/v1/programs/elsewhere/automations/birthday', { text: 'Hi' }, marketer)).status).toBe(404);
  });
});
