import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the gateway received: the JSON body the service's HTTP provider sent ({{to}}, {{text}}, …). */
export type ReceivedText = { to: string; text: string } & Record<string, string>;

export interface SmsGateway {
  /** Every text taken, in order. */
  texts: ReceivedText[];
  /** The environment that points the service's `http` provider at this gateway. */
  env: Record<string, string>;
  /** While true the gateway refuses (400) and echoes the message back, as some do. */
  echo: boolean;
  /** The six-digit code in the last text to a phone. */
  lastCodeTo(phone: string): string | undefined;
  close(): Promise<void>;
}

/** A local SMS gateway for the service's generic HTTP provider: a real server, reached by the same code. */
export async function startSmsGateway(template = '{"to":"{{to}}","text":"{{text}}"}'): Promise<SmsGateway> {
  const gateway: SmsGateway = {
    texts: [],
    env: {},
    echo: false,
    lastCodeTo: (phone) => /\b(\d{6})\b/.exec(gateway.texts.filter((t) => t.to === phone).at(-1)?.text ?? '')?.[1],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as ReceivedText;
      if (gateway.echo) return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'rejected', message: parsed.text }));
      gateway.texts.push(parsed);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.env = {
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`,
    SMS_HTTP_BODY_TEMPLATE: template,
  };
  return gateway;
}
