/**
 * Join-to-card on the server side: the join form's post (checks, budgets, the code row, the text to
 * the SMS stand-in) plus the code's post (check, enrolment with its consents, card, welcome bonus,
 * wallet outbox) — one customer after another, as a phone would, measured at the client on loopback.
 * The reference, in the same run: GET /healthz (one HTTP round trip with a query).
 *
 * Environment: BENCH_JOINS (200), DATABASE_URL (absent: the embedded PGlite).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const JOINS = Number(process.env.BENCH_JOINS ?? 200);

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

export async function benchJoin(): Promise<void> {
  const { startTestService } = await import('../../test/support/test-service.js');
  const texts = new Map<string, string>();
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const { to, text } = JSON.parse(body) as { to: string; text: string };
      texts.set(to, text);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1"}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const svc = await startTestService({
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/send`,
    SMS_HTTP_BODY_TEMPLATE: '{"to":"{{to}}","text":"{{text}}"}',
    SMS_MAX_PER_KEY_PER_HOUR: '100000',
    WORKERS: 'false',
  });
  try {
    await svc.api('POST', '/api/v1/programs', { slug: 'bench', name: 'Bench', welcomeBonus: 100 });
    const post = (url: string, body: Record<string, string>, ip: string) =>
      fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
        body: new URLSearchParams(body).toString(),
      });
    const joins: number[] = [];
    const forms: number[] = [];
    const health: number[] = [];
    for (let i = 0; i < JOINS; i++) {
      // Numbers of distinct ranges: one range may ask for 30 codes an hour (the pumping budget).
      const phone = `+79${String(1000 + i)}${String(10_000 + i).slice(-5)}`;
      const ip = `10.${(i >> 8) & 255}.${i & 255}.1`;
      const t0 = performance.now();
      const first = await post(`${svc.url}/join/bench`, { name: 'Olga', phone, consentPersonal: 'yes' }, ip);
      const t1 = performance.now();
      if (first.status !== 303) throw new Error(`join form: ${first.status}`);
      const code = /\b(\d{6})\b/.exec(texts.get(phone) ?? '')![1]!;
      const second = await post(svc.url + first.headers.get('location')!, { code }, ip);
      const t2 = performance.now();
      if (second.status !== 303 || !second.headers.get('location')!.startsWith('/c/')) throw new Error(`code: ${second.status}`);
      forms.push(t1 - t0);
      joins.push(t2 - t0);
      const h0 = performance.now();
      await (await fetch(`${svc.url}/healthz`)).arrayBuffer();
      health.push(performance.now() - h0);
    }
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`database: ${svc.services.dbKind}, ${JOINS} customers one after another`);
    console.log(`join-to-card (form + code)  p50 ${ms(quantile(joins, 0.5))}  p95 ${ms(quantile(joins, 0.95))}  max ${ms(Math.max(...joins))}`);
    console.log(`  of which the form's post  p50 ${ms(quantile(forms, 0.5))}  p95 ${ms(quantile(forms, 0.95))}`);
    console.log(`reference GET /healthz      p50 ${ms(quantile(health, 0.5))}  p95 ${ms(quantile(health, 0.95))}`);
    console.log(`join-to-card p95 / healthz p50: ${(quantile(joins, 0.95) / quantile(health, 0.5)).toFixed(1)}× (budget: 1 s)`);
  } finally {
    await svc.stop();
    sink.close();
  }
}
