import express, { Router } from 'express';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, GoogleConfig } from '../../platform/config/config.js';
import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { ChannelHealth } from '../outbox/wallet-outbox.js';
import type { Logger } from '../../platform/log/logger.js';
import type { CardLinkBuilder } from '../../loyalty/cards/card-view.js';
import type { JobHandlers } from '../../platform/jobs/job-runner.js';
import { TEMPLATES_DIR } from '../../platform/paths.js';
import { pathParam } from '../../platform/http/validate.js';
import { sendProblem } from '../../platform/http/problem.js';
import { createGoogleWalletApi } from './wallet-api.js';
import { CallbackKeys } from './callback-keys.js';
import { GoogleCallbackService } from './callback-service.js';
import { GoogleSync } from './google-sync.js';
import { GoogleChannel } from './google-channel.js';
import { QuotaGovernor } from './quota-governor.js';
import { ClassBroadcast, type Recipients } from './class-broadcast.js';
import { recordMessages, sweep } from './sweeper.js';
import { saveObjectFor } from './loyalty-resources.js';
import { saveLink } from './save-link.js';

export const GOOGLE_PATH = '/wallet/google';

/** The public image routes (/wallet/google/<kind>/<design>.png) and the design's file each serves. */
const GOOGLE_IMAGES = { logo: 'google-logo.png', hero: 'google-hero.png' } as const;

export interface GoogleWallet {
  routes: Router;
  link: CardLinkBuilder;
  /** One class message, when every object of the program may receive it (see ClassBroadcast). */
  broadcastToClass: (program: Program, text: string, recipients: (db: Db) => Recipients) => Promise<'sent' | 'ineligible' | 'refused'>;
  /** The outbox's Google channels (per card, per program) and the jobs that serve them. */
  cardChannel: 'google.card-changed';
  programChannel: 'google.class-sync';
  /** Records each card message for delivery (the outbox's messagesSet hook). */
  messagesSet: (trx: Db, cardIds: string[], deliveredByClass: boolean) => Promise<void>;
  jobs: JobHandlers;
  health: () => Promise<ChannelHealth>;
  /** How often the sweeper re-drives missing, stale and failed objects. */
  sweepEveryMs: number;
}

interface ServiceAccount {
  client_email: string;
  private_key: string;
}

/** Google Wallet is on when GOOGLE_ISSUER_ID and GOOGLE_APPLICATION_CREDENTIALS are set. */
export async function setupGoogleWallet(config: Config, db: Db, uow: UnitOfWork, logger: Logger): Promise<GoogleWallet | undefined> {
  const google = config.google;
  if (!google) {
    logger.info('Google Wallet is off: set GOOGLE_ISSUER_ID and GOOGLE_APPLICATION_CREDENTIALS to turn it on');
    return undefined;
  }
  const account = await readServiceAccount(google);
  const api = createGoogleWalletApi({
    apiUrl: google.apiUrl,
    tokenUrl: google.tokenUrl,
    credentials: account,
    // One quota for the deployment, whatever the number of processes.
    limiter: new QuotaGovernor(db, { requestsPerSecond: google.requestsPerSecond }),
    logger,
  });
  const base = config.publicUrl + GOOGLE_PATH;
  const channel = new GoogleChannel(db, google.pauseMs);
  const sync = new GoogleSync(db, api, channel, {
    issuerId: google.issuerId,
    publicUrl: config.publicUrl,
    logoUrl: (program) => `${base}/logo/${program.design}.png`,
    heroUrl: (program) => `${base}/hero/${program.design}.png`,
    callbackUrl: `${base}/callbacks`,
    backgroundColor: templateBackground,
  });

  const callbacks = new GoogleCallbackService(
    db,
    new CallbackKeys(google.callbackKeysUrl),
    { issuerId: google.issuerId, senderId: google.callbackSenderId },
    logger,
  );
  const routes = Router();
  routes.post(`${GOOGLE_PATH}/callbacks`, express.json({ limit: '100kb' }), async (req, res) => {
    const result = await callbacks.handle(req.body);
    res.status(200).json(result);
  });
  // Google fetches the class's images from public https URLs: each design's own (templates/<design>/,
  // made by scripts/make-template-images.ts for the default design).
  for (const [kind, fileName] of Object.entries(GOOGLE_IMAGES)) {
    routes.get(`${GOOGLE_PATH}/${kind}/:design.png`, async (req, res) => {
      const design = pathParam(req, 'design');
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(design)) return sendProblem(res, 404, 'Not found', 'No such design');
      const file = await readFile(path.join(TEMPLATES_DIR, design, fileName)).catch(() => undefined);
      if (!file) return sendProblem(res, 404, 'Not found', 'No such design');
      res.type('image/png').set('Cache-Control', 'public, max-age=86400').send(file);
    });
  }

  const broadcast = new ClassBroadcast(db, uow, api, google.issuerId, (programId) => sync.ensureClass(programId));
  return {
    routes,
    broadcastToClass: (program, text, recipients) => broadcast.send(program, text, recipients),
    // "Inserted at issuance": enrolment's outbox row is the card's first 'google.card-changed' job.
    cardChannel: 'google.card-changed',
    programChannel: 'google.class-sync',
    messagesSet: recordMessages,
    jobs: {
      'google.card-changed': sync.cardChanged,
      'google.class-sync': sync.classSync,
      'google.sweep': async () => {
        const n = await sweep(db, 5 * google.sweepEveryMs);
        if (n) logger.info({ objects: n }, 'Google sweeper re-drove missing, stale or failed objects');
      },
    },
    health: () => channel.health(),
    sweepEveryMs: google.sweepEveryMs,
    // The link carries the object, so saving works even where the card's outbox job has not
    // inserted it (yet); where it has, Google keeps the one it has.
    link: (card, program) => ({
      google:
        card.status === 'voided'
          ? null
          : saveLink({ clientEmail: account.client_email, privateKey: account.private_key, object: saveObjectFor(google.issuerId, program, card) }),
    }),
  };
}

async function readServiceAccount(google: GoogleConfig): Promise<ServiceAccount> {
  let parsed: Partial<ServiceAccount>;
  try {
    parsed = JSON.parse(await readFile(google.credentialsPath, 'utf8')) as Partial<ServiceAccount>;
  } catch (err) {
    throw new Error(`GOOGLE_APPLICATION_CREDENTIALS: cannot read ${google.credentialsPath} as JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof parsed.client_email !== 'string' || typeof parsed.private_key !== 'string') {
    throw new Error('GOOGLE_APPLICATION_CREDENTIALS: the key file has no client_email/private_key (use a service account JSON key)');
  }
  return { client_email: parsed.client_email, private_key: parsed.private_key };
}

const backgrounds = new Map<string, string>();
/** The pass design's background colour, as Google's hex. */
async function templateBackground(program: Program): Promise<string> {
  let hex = backgrounds.get(program.design);
  if (!hex) {
    const pass = JSON.parse(await readFile(path.join(TEMPLATES_DIR, program.design, 'pass.json'), 'utf8').catch(() => '{}')) as { backgroundColor?: string };
    const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(pass.backgroundColor ?? '');
    hex = m
      ? '#' +
        m
          .slice(1, 4)
          .map((v) => Number(v).toString(16).padStart(2, '0'))
          .join('')
      : '#163c38';
    backgrounds.set(program.design, hex);
  }
  return hex;
}
