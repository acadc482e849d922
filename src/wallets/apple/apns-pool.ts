import type { ApnsClient, ApnsResult } from './apns/apns-client.js';
import type { AppleIdentities, LoadedIdentity } from './apple-identities.js';
import type { PushSender } from './push-handlers.js';

/**
 * One APNs connection per Apple identity: a push goes out on its topic's connection, authenticated
 * with that pass type id's certificate (a renewed certificate gets a new connection). The
 * deployment's identity keeps its own client, which may use token (.p8) auth instead.
 */
export class ApnsPool implements PushSender {
  readonly #clients = new Map<string, { identity: LoadedIdentity; client: ApnsClient }>();

  constructor(
    private readonly identities: AppleIdentities,
    private readonly deploymentClient: ApnsClient,
    private readonly connect: (identity: LoadedIdentity) => ApnsClient,
  ) {}

  async send(pushToken: string, topic: string): Promise<ApnsResult> {
    return (await this.#clientFor(topic)).send(pushToken, topic);
  }

  async #clientFor(topic: string): Promise<ApnsClient> {
    if (topic === this.identities.deployment.passTypeIdentifier) return this.deploymentClient;
    const identity = await this.identities.byPassType(topic);
    if (!identity) throw new Error(`no Apple identity for the topic ${topic}: was it removed?`);
    const open = this.#clients.get(topic);
    if (open?.identity === identity) return open.client;
    if (open) void open.client.close();
    const client = this.connect(identity);
    this.#clients.set(topic, { identity, client });
    return client;
  }

  /** Connections open (the deployment's included). */
  get size(): number {
    return this.#clients.size + 1;
  }

  async close(): Promise<void> {
    await Promise.all([this.deploymentClient.close(), ...[...this.#clients.values()].map((c) => c.client.close())]);
    this.#clients.clear();
  }
}
