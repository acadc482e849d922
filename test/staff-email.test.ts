/**
 * With SMTP configured, an invitation and a reset link are e-mailed to the person (and still handed
 * to the inviter); a server that refuses is reported as `emailed: false`, never a failed invitation.
 * The SMTP server is a local one (smtp-server), reached by nodemailer as a real one would be.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config/config.js';
import { createProgramWithStores } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
let smtp: SMTPServer;
let refuse = false;
const received: { from: string; to: string[]; body: string }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      callback(refuse ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined);
      void address;
    },
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (d: Buffer) => (body += d.toString()));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = (smtp.server.address() as AddressInfo).port;
  svc = await startTestService({ SMTP_URL: `smtp://127.0.0.1:${port}?ignoreTLS=true`, SMTP_FROM: 'loyalty@shop.example' });
  await createProgramWithStores(svc, 'shop');
});
afterAll(async () => {
  await svc?.stop();
  await new Promise<void>((r) => smtp?.close(() => r()));
});

it('e-mails the invitation link to the person, and hands it to the inviter too', async () => {
  const res = await svc.api('POST', '/api/v1/staff', { email: 'olga@shop.example', name: 'Olga', role: 'marketer' });
  expect(res.status).toBe(201);
  expect(res.body.invitation.emailed).toBe(true);
  const mail = received.at(-1)!;
  expect(mail).toMatchObject({ from: 'loyalty@shop.example', to: ['olga@shop.example'] });
  // Quoted-printable may fold long lines: compare with the soft breaks removed.
  expect(mail.body.replace(/=\r?\n/g, '')).toContain(new URL(res.body.invitation.url).pathname);
  const reset = await svc.api('POST', `/api/v1/staff/${res.body.staff.id}/password-reset`);
  expect(reset.body.link.emailed).toBe(true);
  expect(received).toHaveLength(2);
});

it('reports a refused e-mail without failing the invitation', async () => {
  refuse = true;
  const res = await svc.api('POST', '/api/v1/staff', { email: 'ivan@shop.example', name: 'Ivan', role: 'marketer' });
  refuse = false;
  expect(res.status).toBe(201);
  expect(res.body.invitation).toMatchObject({ emailed: false, url: expect.stringContaining('/staff/welcome/') });
});

it('needs both SMTP settings, and never shows the URL (it may hold a password) in the error', () => {
  expect(() => loadConfig({ SMTP_URL: 'smtp://user:hunter2@mail.example:587' })).toThrow(/SMTP_FROM is required/);
  let message = '';
  try {
    loadConfig({ SMTP_URL: 'http://user:hunter2@mail.example', SMTP_FROM: 'a@b.example' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/SMTP_URL must be smtp/);
  expect(message).not.toContain('hunter2');
});
