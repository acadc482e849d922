import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../src/platform/http/route-table.js';
import { cardOperations } from '../src/loyalty/cards/card-operations.js';
import { CardLinkSms } from '../src/engagement/sms/card-link-sms.js';
import { errorHandler, notFoundHandler } from '../src/platform/http/problem.js';
import { maskPhone, type Logger } from '../src/platform/log/logger.js';
import { createSmsProvider } from '../src/engagement/sms/create-sms-provider.js';
import { HttpSmsProvider } from '../src/engagement/sms/http-sms-provider.js';
import { fillTemplate } from '../src/platform/config/sms-template.js';
import { LogSmsProvider } from '../src/engagement/sms/log-sms-provider.js';
import { smsConfigFromEnv, SmsConfigError, type SmsLimits } from '../src/platform/config/sms-config.js';
import { SmsSendError, type SmsProvider } from '../src/engagement/sms/sms-provider.js';
import { SmsService } from '../src/engagement/sms/sms-service.js';
import { analyzeSms, composeCardLinkText, fitOneSegment, segmentsOf } from '../src/engagement/sms/sms-text.js';
import { TwilioSmsProvider } from '../src/engagement/sms/twilio-sms-provider.js';
import { brandSender } from '../src/access/brands/brand-service.js';
import { captureLogs } from './support/logs.js';
import { cardRow, createProgramWithStores, enrolRequest, issueKey } from './support/fixtures.js';
import { ADMIN_KEY, startTestService, type TestService } from './support/test-service.js';

const PUBLIC_URL = 'https://loyalty.example.com';
const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
const TWILIO_TOKEN = 'twilio-test-auth-token';

// ---------------------------------------------------------------------------------------------
// A local HTTP sink that records requests and answers with scripted statuses.

interface SinkRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Sink {
  url: string;
  requests: SinkRequest[];
  /** The next requests get these answers, one each; then 200 {"id":"msg-<n>"}. */
  answerNext(...answers: Array<{ status: number; body?: unknown }>): void;
  close(): Promise<void>;
}

async function startSink(defaultAnswer?: (n: number) => { status: number; body: unknown }): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const scripted: Array<{ status: number; body?: unknown }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = scripted.shift() ?? defaultAnswer?.(requests.length) ?? { status: 200, body: { id: `msg-${requests.length}` } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerNext: (...answers) => void scripted.push(...answers),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------
// The real service and database; the SMS routes mounted on an app of the test's own (the main app
// does not know them yet), with the real authentication and error handling.

let svc: TestService;
let sink: Sink;
const openServers: http.Server[] = [];

beforeAll(async () => {
  svc = await startTestService();
  await createProgramWithStores(svc);
  await createProgramWithStores(svc, 'beta');
  sink = await startSink();
});
afterAll(async () => {
  await Promise.all(openServers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await sink?.close();
  await svc?.stop();
});

const LIMITS: SmsLimits = { perPhonePerDay: 3, perKeyPerHour: 200 };

function httpProvider(url = sink.url) {
  return new HttpSmsProvider({
    url,
    method: 'POST',
    authHeader: 'Bearer gateway-secret',
    bodyTemplate: '{"recipient":"{{to}}","message":"{{text}}","sender":"Loyalty"}',
    contentType: 'application/json',
  });
}

/** An app with the route table's SMS operation on the service's real cards, database and API keys. */
async function mountSms(provider: SmsProvider, limits: SmsLimits = LIMITS, logger: Logger = svc.services.logger) {
  const sms = new SmsService(svc.services.db, provider, limits, logger, svc.services.phoneHash);
  const { cards, messages, cardLinks, apiKeys, scope } = svc.services;
  const operations = cardOperations(
    cards,
    messages,
    cardLinks,
    new CardLinkSms(sms, cards, PUBLIC_URL, (brandId) => brandSender(svc.services.db, brandId)),
  ).filter((op) => op.operationId === 'sendCardLinkSms');
  const app = express();
  app.use('/api/v1', routeTable(operations, { authenticate: apiKeys.authenticate, confine: scope.confine, checkResponses: true }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openServers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sms,
    async send(cardNumber: string, body: unknown = {}, key = ADMIN_KEY) {
      const res = await fetch(`${base}/api/v1/cards/${cardNumber}/sms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as any };
    },
  };
}

async function enrol(phone: string, program = 'acme') {
  // 200 too: the same phone enrols in two programs.
  const res = await enrolRequest(svc, { program, phone });
  if (res.status !== 201 && res.status !== 200) throw new Error(`enrol: ${JSON.stringify(res.body)}`);
  const card = await cardRow(svc, res.body.cardNumber);
  return { cardNumber: res.body.cardNumber as string, customerId: res.body.customerId as string, linkToken: card.link_token, cardId: card.id };
}

const smsDb = () => svc.services.db;
const rowsFor = (cardId: string) => smsDb().selectFrom('sms_messages').selectAll().where('card_id', '=', cardId).orderBy('id').execute();

// ---------------------------------------------------------------------------------------------

describe('segments', () => {
  it('counts GSM-7 in septets: 160 single, 153 per part', () => {
    expect(analyzeSms('Hello')).toEqual({ encoding: 'GSM-7', units: 5, segments: 1 });
    expect(segmentsOf('a'.repeat(160))).toBe(1);
    expect(segmentsOf('a'.repeat(161))).toBe(2);
    expect(segmentsOf('a'.repeat(306))).toBe(2);
    expect(segmentsOf('a'.repeat(307))).toBe(3);
    // Accented letters and Greek capitals of the default alphabet stay GSM-7.
    expect(analyzeSms('Ça coûte 5 € — non').encoding).toBe('UCS-2'); // "û" and "—" are not GSM
    expect(analyzeSms('Ça va? Ærø Ñoño ΔΦΓ £5 §1 ¿¡ èéùìò').encoding).toBe('GSM-7');
  });

  it('counts extension characters as two septets and never splits them across parts', () => {
    expect(analyzeSms('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(segmentsOf('€'.repeat(81))).toBe(2);
    expect(analyzeSms('{}[]~\\|^').units).toBe(16);
    // 152 + 154 = 306 septets would be two parts by division, but the first € does not fit in the
    // 153rd septet of part one, so 77 € need two more parts: three in all.
    expect(analyzeSms('a'.repeat(152) + '€'.repeat(77))).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
  });

  it('counts anything else (Cyrillic, emoji) as UCS-2: 70 single, 67 per part', () => {
    expect(analyzeSms('Привет')).toEqual({ encoding: 'UCS-2', units: 6, segments: 1 });
    expect(segmentsOf('я'.repeat(70))).toBe(1);
    expect(segmentsOf('я'.repeat(71))).toBe(2);
    expect(segmentsOf('я'.repeat(134))).toBe(2);
    expect(segmentsOf('я'.repeat(135))).toBe(3);
    // One Cyrillic letter turns a GSM text into UCS-2.
    expect(segmentsOf('a'.repeat(100))).toBe(1);
    expect(segmentsOf('a'.repeat(99) + 'ж')).toBe(2);
    // An emoji is two UTF-16 units and is not split.
    expect(analyzeSms('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    // 66 + 2 + 66 = 134 units would be two parts of 67, but the emoji moves whole to part two: three.
    expect(analyzeSms('я'.repeat(66) + '😀' + 'я'.repeat(66))).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
  });

  it('fits "Your <program> card: <url>" into one SMS by shortening the name, never the URL', () => {
    const url = `${PUBLIC_URL}/c/${'x'.repeat(32)}`;
    const short = composeCardLinkText('en', 'Coffee Club', url);
    expect(short).toMatchObject({ text: `Your Coffee Club card: ${url}`, segments: 1, shortened: false });

    const long = composeCardLinkText('en', 'The Extraordinarily Long Named Coffee Roasters, Bakers and Confectioners Club of Moscow and its Region', url);
    expect(long.segments).toBe(1);
    expect(long.shortened).toBe(true);
    expect(long.text.endsWith(`. card: ${url}`)).toBe(true); // a GSM "." ellipsis keeps it GSM-7
    expect(long.text.length).toBeLessThanOrEqual(160);

    // Russian is UCS-2 (70): the name goes first, then the wording shortens; the URL stays whole.
    const ru = composeCardLinkText('ru', 'Кофейня', `${PUBLIC_URL}/c/abc`);
    expect(ru.text).toBe(`Ваша карта «Кофейня»: ${PUBLIC_URL}/c/abc`);
    const ruLong = composeCardLinkText('ru', 'Кофейня «Ромашка» на Арбате', url);
    expect(ruLong).toMatchObject({ segments: 1, fits: true });
    expect(ruLong.text.endsWith(url)).toBe(true);
    expect(ruLong.text.length).toBeLessThanOrEqual(70);

    // A part cannot shrink below its minimum: no fit → the full text, in several parts.
    const noFit = fitOneSegment(['x'.repeat(150), { text: 'Name', shrinkable: true, minLength: 4 }, 'y'.repeat(20)]);
    expect(noFit).toMatchObject({ fits: false, segments: 2, text: `${'x'.repeat(150)}Name${'y'.repeat(20)}` });
  });
});

describe('configuration', () => {
  it('defaults to the log provider and the documented limits', () => {
    expect(smsConfigFromEnv({})).toEqual({ provider: { kind: 'log', maskLinks: false }, limits: { perPhonePerDay: 3, perKeyPerHour: 200 }, warnings: [] });
  });

  it('names the missing variable for the chosen provider', () => {
    const problems = (env: Record<string, string>) => {
      try {
        smsConfigFromEnv(env);
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(SmsConfigError);
        return (err as SmsConfigError).problems;
      }
    };
    expect(problems({ SMS_PROVIDER: 'http' })).toEqual(['SMS_HTTP_URL is required when SMS_PROVIDER=http']);
    expect(problems({ SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: TWILIO_SID }).map((p) => p.split(' ')[0])).toEqual(['TWILIO_AUTH_TOKEN', 'TWILIO_FROM']);
    expect(problems({ SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006' })[0]).toMatch(
      /^TWILIO_ACCOUNT_SID must be/,
    );
    expect(problems({ SMS_PROVIDER: 'carrier-pigeon' })[0]).toMatch(/^SMS_PROVIDER /);
    expect(problems({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'http://gw', SMS_HTTP_BODY_TEMPLATE: '{"to":{{to}},"text":"{{text}}"}' })[0]).toMatch(
      /^SMS_HTTP_BODY_TEMPLATE must be JSON/,
    );
    expect(problems({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'http://gw', SMS_HTTP_BODY_TEMPLATE: '{"to":"{{to}}"}' })).toEqual([
      expect.stringMatching(/^SMS_HTTP_BODY_TEMPLATE must contain \{\{text\}\}/),
    ]);
    expect(problems({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'http://gw/send', SMS_HTTP_METHOD: 'get' })[0]).toMatch(/^SMS_HTTP_URL must contain \{\{to\}\}/);
    expect(problems({ SMS_MAX_PER_PHONE_PER_DAY: '0' })[0]).toMatch(/^SMS_MAX_PER_PHONE_PER_DAY /);
    // Secrets are never echoed.
    expect(problems({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'not a url', SMS_HTTP_AUTH_HEADER: 'Bearer s3cret' }).join()).not.toContain('s3cret');
  });

  it('reads the http and twilio settings', () => {
    expect(
      smsConfigFromEnv({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://gw.example/send', SMS_HTTP_CONTENT_TYPE: 'form', SMS_MAX_PER_KEY_PER_HOUR: '50' }),
    ).toMatchObject({
      provider: {
        kind: 'http',
        method: 'POST',
        contentType: 'application/x-www-form-urlencoded',
        bodyTemplate: 'to={{to}}&text={{text}}',
        authHeader: undefined,
      },
      limits: { perPhonePerDay: 3, perKeyPerHour: 50 },
    });
    expect(smsConfigFromEnv({ SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: 'x', TWILIO_FROM: 'Loyalty' }).provider).toEqual({
      kind: 'twilio',
      accountSid: TWILIO_SID,
      authToken: 'x',
      from: 'Loyalty',
      apiUrl: 'https://api.twilio.com',
    });
  });

  it('allows the log provider in production, with a warning at start-up', () => {
    const config = smsConfigFromEnv({ NODE_ENV: 'production' });
    expect(config.provider).toEqual({ kind: 'log', maskLinks: true });
    expect(config.warnings).toEqual([expect.stringContaining('SMS_PROVIDER=log in production')]);
    const { logger, records } = captureLogs();
    expect(createSmsProvider(config, logger).name).toBe('log');
    expect(records().find((l) => l.level === 40)?.msg).toContain('SMS_PROVIDER=log in production');
  });
});

describe('http provider', () => {
  it('fills the template JSON-escaped, sends the auth header, and records the message by phone hash', async () => {
    const { cardNumber, cardId, linkToken } = await enrol('+79165550101');
    const app = await mountSms(httpProvider());
    const before = sink.requests.length;
    const res = await app.send(cardNumber, { text: 'Your "card" ({program}):\n{link}', lang: 'en' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'sent', segments: 1 });

    const req = sink.requests[before]!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe('Bearer gateway-secret');
    expect(req.headers['content-type']).toContain('application/json');
    expect(JSON.parse(req.body)).toEqual({
      recipient: '+79165550101',
      message: `Your "card" (Acme Rewards):\n${PUBLIC_URL}/c/${linkToken}`,
      sender: 'Loyalty',
    });

    const rows = await rowsFor(cardId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      phone_hash: svc.services.phoneHash.hex('+79165550101'),
      key_id: 'bootstrap',
      provider: 'http',
      status: 'sent',
      segments: 1,
      provider_message_id: `msg-${before + 1}`,
      error: null,
    });
    expect(JSON.stringify(rows)).not.toContain('9165550101');
  });

  it('sends the default Russian text, and English on request, as one SMS each', async () => {
    const { cardNumber, linkToken } = await enrol('+79165550102');
    const app = await mountSms(httpProvider());
    const before = sink.requests.length;
    expect((await app.send(cardNumber)).body).toEqual({ status: 'sent', segments: 1 });
    expect((await app.send(cardNumber, { lang: 'en' })).body).toEqual({ status: 'sent', segments: 1 });
    const [ru, en] = sink.requests.slice(before).map((r) => JSON.parse(r.body).message as string);
    // 62 characters of link leave no room for the program name in 70 UCS-2 characters.
    expect(ru).toBe(`Карта: ${PUBLIC_URL}/c/${linkToken}`);
    expect(segmentsOf(ru!)).toBe(1);
    expect(en).toBe(`Your Acme Rewards card: ${PUBLIC_URL}/c/${linkToken}`);
  });

  it('form-encodes for a form content type, and fills URL placeholders for GET gateways', async () => {
    const form = new HttpSmsProvider({
      url: `${sink.url}/form`,
      method: 'POST',
      authHeader: undefined,
      bodyTemplate: 'phone={{to}}&msg={{text}}&from=Shop',
      contentType: 'application/x-www-form-urlencoded',
    });
    const get = new HttpSmsProvider({
      url: `${sink.url}/get?to={{to}}&msg={{text}}`,
      method: 'GET',
      authHeader: undefined,
      bodyTemplate: '',
      contentType: 'application/json',
    });
    const before = sink.requests.length;
    await form.send('+79165550103', 'Карта & ссылка: https://x.example/c/a?b=1');
    await get.send('+79165550103', 'a b&c');
    const [f, g] = sink.requests.slice(before);
    expect(f!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(f!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(f!.body))).toEqual({ phone: '+79165550103', msg: 'Карта & ссылка: https://x.example/c/a?b=1', from: 'Shop' });
    expect(g!.method).toBe('GET');
    expect(Object.fromEntries(new URL(g!.url, sink.url).searchParams)).toEqual({ to: '+79165550103', msg: 'a b&c' });
    // A text that contains a placeholder is not filled twice.
    expect(fillTemplate('{{to}}|{{text}}', { to: '+7', text: '{{to}}' }, 'application/json')).toBe('+7|{{to}}');
  });

  it('treats 429 and 5xx as retryable, other 4xx as final; a failure is a 502 recorded without the phone', async () => {
    const provider = httpProvider();
    sink.answerNext({ status: 429 }, { status: 503 }, { status: 400, body: { error: 'bad number +79165550104' } });
    await expect(provider.send('+79165550104', 'x')).rejects.toMatchObject({ name: 'SmsSendError', retryable: true, status: 429 });
    await expect(provider.send('+79165550104', 'x')).rejects.toMatchObject({ retryable: true, status: 503 });
    const final = (await provider.send('+79165550104', 'x').catch((e: unknown) => e)) as SmsSendError;
    expect(final).toBeInstanceOf(SmsSendError);
    expect(final).toMatchObject({ retryable: false, status: 400 });
    expect((final as SmsSendError).message).toContain(maskPhone('+79165550104'));
    expect((final as SmsSendError).message).not.toContain('9165550104');
    // Unreachable gateway: retryable, no status.
    await expect(httpProvider('http://127.0.0.1:9').send('+79165550104', 'x')).rejects.toMatchObject({ retryable: true, status: undefined });

    const { cardNumber, cardId } = await enrol('+79165550104');
    const app = await mountSms(provider);
    sink.answerNext({ status: 500, body: { error: 'to=79165550104 failed' } });
    const res = await app.send(cardNumber);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ title: 'SMS not sent', retryable: true });
    expect(JSON.stringify(res.body)).not.toContain('9165550104');
    const [row] = await rowsFor(cardId);
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.error).toContain('500');
    expect(row!.error).not.toContain('9165550104');
  });
});

describe('twilio', () => {
  it('posts the form to the Messages resource with Basic auth and returns the message sid', async () => {
    const fake = await startSink((n) => ({ status: 201, body: { sid: `SM${String(n).padStart(32, '0')}`, status: 'queued' } }));
    try {
      const provider = new TwilioSmsProvider({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: '+15005550006', apiUrl: `${fake.url}/` });
      expect(await provider.send('+79165550201', 'Hi & welcome: https://x.example/c/t')).toEqual({ providerMessageId: `SM${'1'.padStart(32, '0')}` });
      const [req] = fake.requests;
      expect(req!.method).toBe('POST');
      expect(req!.url).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`);
      expect(req!.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`);
      expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(req!.body))).toEqual({
        To: '+79165550201',
        From: '+15005550006',
        Body: 'Hi & welcome: https://x.example/c/t',
      });

      // A Messaging Service SID goes as MessagingServiceSid instead of From.
      const mg = `MG${'a'.repeat(32)}`;
      await new TwilioSmsProvider({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: mg, apiUrl: fake.url }).send('+79165550201', 'x');
      expect(Object.fromEntries(new URLSearchParams(fake.requests[1]!.body))).toEqual({ To: '+79165550201', MessagingServiceSid: mg, Body: 'x' });

      // Through the route: the sid is recorded with the message.
      const { cardNumber, cardId } = await enrol('+79165550202');
      const app = await mountSms(provider);
      expect((await app.send(cardNumber, { lang: 'en' })).status).toBe(202);
      expect((await rowsFor(cardId))[0]).toMatchObject({ provider: 'twilio', status: 'sent', provider_message_id: `SM${'3'.padStart(32, '0')}` });
    } finally {
      await fake.close();
    }
  });

  it("reports Twilio's error code and message without the number; 429 and 5xx are retryable", async () => {
    const fake = await startSink();
    try {
      const provider = new TwilioSmsProvider({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: 'Loyalty', apiUrl: fake.url });
      fake.answerNext(
        {
          status: 400,
          body: {
            code: 21211,
            message: "The 'To' number +79165550203 is not a valid phone number.",
            more_info: 'https://www.twilio.com/docs/errors/21211',
            status: 400,
          },
        },
        { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } },
        { status: 503, body: { code: 20500, message: 'Service unavailable', status: 503 } },
      );
      const invalid = (await provider.send('+79165550203', 'x').catch((e: unknown) => e)) as SmsSendError;
      expect(invalid).toMatchObject({ retryable: false, status: 400 });
      expect(invalid.message).toBe(`twilio: 400 21211: The 'To' number ${maskPhone('+79165550203')} is not a valid phone number.`);
      await expect(provider.send('+79165550203', 'x')).rejects.toMatchObject({ retryable: true, status: 429 });
      await expect(provider.send('+79165550203', 'x')).rejects.toMatchObject({ retryable: true, status: 503 });
    } finally {
      await fake.close();
    }
  });
});

describe('rate limits', () => {
  it('refuses the 4th SMS to one phone in 24 hours with 429, sending nothing, across programs', async () => {
    const phone = '+79165550301';
    const acme = await enrol(phone);
    const beta = await enrol(phone, 'beta');
    const app = await mountSms(httpProvider());
    const before = sink.requests.length;
    for (let i = 0; i < 3; i++) expect((await app.send(acme.cardNumber)).status).toBe(202);
    const refused = await app.send(beta.cardNumber);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ title: 'Too many SMS', status: 429, limit: 'SMS_MAX_PER_PHONE_PER_DAY', max: 3 });
    expect(refused.body.detail).toContain('SMS_MAX_PER_PHONE_PER_DAY');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(23 * 3600);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    expect(sink.requests.length - before).toBe(3);
    expect((await rowsFor(beta.cardId)).map((r) => r.status)).toEqual(['rate_limited']);

    // Messages older than 24 hours no longer count.
    await smsDb()
      .updateTable('sms_messages')
      .set({ created_at: new Date(Date.now() - 25 * 3600_000) } as never)
      .where('card_id', '=', acme.cardId)
      .execute();
    expect((await app.send(beta.cardNumber)).status).toBe(202);
  });

  it('lets concurrent requests for one phone take only the remaining slots', async () => {
    const { cardNumber, cardId } = await enrol('+79165550302');
    const app = await mountSms(httpProvider());
    const statuses = (await Promise.all(Array.from({ length: 6 }, () => app.send(cardNumber)))).map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429]);
    expect((await rowsFor(cardId)).filter((r) => r.status === 'sent')).toHaveLength(3);
  });

  it('refuses more SMS per API key per hour than allowed', async () => {
    const key = await issueKey(svc, 'marketer');
    const app = await mountSms(httpProvider(), { perPhonePerDay: 100, perKeyPerHour: 2 });
    const cards = [await enrol('+79165550311'), await enrol('+79165550312'), await enrol('+79165550313')];
    const before = sink.requests.length;
    expect((await app.send(cards[0]!.cardNumber, {}, key)).status).toBe(202);
    expect((await app.send(cards[1]!.cardNumber, {}, key)).status).toBe(202);
    const refused = await app.send(cards[2]!.cardNumber, {}, key);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ limit: 'SMS_MAX_PER_KEY_PER_HOUR', max: 2 });
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    expect(sink.requests.length - before).toBe(2);
    // Another key is not affected.
    expect((await app.send(cards[2]!.cardNumber, {}, await issueKey(svc, 'marketer'))).status).toBe(202);
  });
});

describe('log provider', () => {
  it('writes the text to the log but never the full phone number', async () => {
    const phone = '+79165550401';
    const { cardNumber, linkToken } = await enrol(phone);
    const { logger, lines, records } = captureLogs();
    const app = await mountSms(new LogSmsProvider(logger), LIMITS, logger);
    expect((await app.send(cardNumber, { lang: 'en' })).status).toBe(202);
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2); // the provider's line and the service's
    expect(all).not.toContain(phone);
    expect(all).not.toContain(phone.slice(1));
    expect(all).toContain(maskPhone(phone));
    const logged = records().find((l) => l.sms);
    expect(logged.sms).toMatchObject({ to: maskPhone(phone), text: `Your Acme Rewards card: ${PUBLIC_URL}/c/${linkToken}` });
  });

  it('hides the personal link token when asked (production)', async () => {
    const { logger, lines } = captureLogs();
    await new LogSmsProvider(logger, { maskLinks: true }).send('+79165550402', `Card: ${PUBLIC_URL}/c/SecretToken_123`);
    expect(lines.join()).not.toContain('SecretToken_123');
    expect(JSON.parse(lines[0]!).sms.text).toBe(`Card: ${PUBLIC_URL}/c/[redacted]`);
  });
});

describe('requests', () => {
  it('409 for a voided card or an erased customer, 404 for an unknown card, 400 for a text without {link}', async () => {
    const app = await mountSms(httpProvider());
    const { cardNumber, customerId } = await enrol('+79165550501');
    const bad = await app.send(cardNumber, { text: 'No link here' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'text', message: expect.stringContaining('{link}') }]);
    expect((await app.send(cardNumber, { lang: 'de' })).body.errors[0].field).toBe('lang');

    expect((await svc.api('DELETE', `/api/v1/customers/${customerId}`)).status).toBe(204);
    const before = sink.requests.length;
    const erased = await app.send(cardNumber);
    expect(erased.status).toBe(409);

    const other = await enrol('+79165550502');
    await svc.services.db.updateTable('cards').set({ status: 'voided' }).where('card_number', '=', other.cardNumber).execute();
    const voided = await app.send(other.cardNumber);
    expect(voided.status).toBe(409);
    expect(voided.body.detail).toContain('voided');
    expect(sink.requests.length).toBe(before);

    expect((await app.send('000000000000')).status).toBe(404);
  });

  it('lets a till send only for cards of its own program', async () => {
    const app = await mountSms(httpProvider());
    const stores = (await svc.api('GET', '/api/v1/stores?program=acme')).body.items;
    const pos = await issueKey(svc, 'pos', stores[0].id);
    const own = await enrol('+79165550601');
    const foreign = await enrol('+79165550602', 'beta');
    expect((await app.send(own.cardNumber, {}, pos)).status).toBe(202);
    expect((await app.send(foreign.cardNumber, {}, pos)).status).toBe(404);
    expect((await app.send(own.cardNumber, {}, 'wlk_unknown')).status).toBe(401);
  });
});
