import express, { Router } from 'express';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../platform/config/config.js';
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
import { GoogleIssuers, readServiceAccount } from './google-issuers.js';
import { IssuerRuntimes } from './issuer-runtimes.js';
import type { SecretBox } from '../../platform/secrets/secret-box.js';
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
  /** The deployment's issuer and the brands' own. */
  issuers: GoogleIssuers;
  /** Whether any brand can have Google cards (an issuer exists); a brand's new issuer is noticed within 30 s. */
  active: () => boolean;
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

/**
 * Google Wallet, for the deployment's issuer (GOOGLE_ISSUER_ID and GOOGLE_APPLICATION_CREDENTIALS)
 * and each brand's own (PUT /brands/{brand}/google-issuer): every issuer has its own service account,
 * token, request quota and pause; objects and classes are made under the card's brand's issuer.
 */
export async function setupGoogleWallet(config: Config, db: Db, uow: UnitOfWork, box: SecretBox, logger: Logger): Promise<GoogleWallet> {
  const google = config.google;
  const deployment = google.deployment && {
    issuerId: google.deployment.issuerId,
    account: await readServiceAccount(google.deployment.credentialsPath, 'GOOGLE_APPLICATION_CREDENTIALS').catch((err: unknown) => {
      throw new Error(`GOOGLE_APPLICATION_CREDENTIALS: ${(err as Error).message}`, { cause: err });
    }),
    version: 0,
  };
  const issuers = new GoogleIssuers(db, box, deployment);
  if (!(await issuers.any())) {
    logger.info('Google Wallet is off: set GOOGLE_ISSUER_ID and GOOGLE_APPLICATION_CREDENTIALS, or give a brand its own issuer, to turn it on');
  }
  const runtimes = new IssuerRuntimes(
    db,
    issuers,
    (issuer) =>
      createGoogleWalletApi({
        apiUrl: google.apiUrl,
        tokenUrl: google.tokenUrl,
        credentials: issuer.account,
        // One quota per issuer for the deployment, whatever the number of processes.
        limiter: new QuotaGovernor(db, { issuerId: issuer.issuerId, requestsPerSecond: google.requestsPerSecond }),
        logger,
      }),
    google.pauseMs,
  );
  const base = config.publicUrl + GOOGLE_PATH;
  const sync = new GoogleSync(db, runtimes, {
    publicUrl: config.publicUrl,
    logoUrl: (program) => `${base}/logo/${program.design}.png`,
    heroUrl: (program) => `${base}/hero/${program.design}.png`,
    callbackUrl: `${base}/callbacks`,
    backgroundColor: templateBackground,
  });

  const callbacks = new GoogleCallbackService(db, new CallbackKeys(google.callbackKeysUrl), issuers, { senderId: google.callbackSenderId }, logger);
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

  const broadcast = new ClassBroadcast(
    db,
    uow,
    (program) => runtimes.forBrand(program.brand_id),
    (program, rt) => sync.ensureClass(program, rt),
  );
  return {
    routes,
    issuers,
    active: () => issuers.anyKnown,
    broadcastToClass: (program, text, recipients) => broadcast.send(program, text, recipients),
    // "Inserted at issuance": enrolment's outbox row is the card's first 'google.card-changed' job.
    cardChannel: 'google.card-changed',
    programChannel: 'google.class-sync',
    messagesSet: recordMessages,
    jobs: {
      'google.card-changed': sync.cardChanged,
      'google.class-sync': sync.classSync,
      'google.sweep': async () => {
        if (!(await issuers.any())) return;
        const n = await sweep(db, 5 * google.sweepEveryMs, deployment !== undefined);
        if (n) logger.info({ objects: n }, 'Google sweeper re-drove missing, stale or failed objects');
      },
    },
    health: () => channelsHealth(db, deployment?.issuerId),
    sweepEveryMs: google.sweepEveryMs,
    // The link carries the object, so saving works even where the card's outbox job has not
    // inserted it (yet); where it has, Google keeps the one it has. Signed with the key of the
    // card's issuer: a link under one brand's issuer signed with another's account is refused.
    link: async (card, program) => {
      if (card.status === 'voided') return { google: null };
      const rt = await runtimes.forCard(card);
      if (!rt) return { google: null };
      const { account, issuerId } = rt.issuer;
      return { google: saveLink({ clientEmail: account.client_email, privateKey: account.private_key, object: saveObjectFor(issuerId, program, card) }) };
    },
  };
}

/**
 * Every issuer's channel, naming the paused ones (their service account refused). Only the
 * deployment's issuer makes the process unhealthy: one brand's account must not take the
 * deployment out of its load balancer (that brand sees its pause here and in its jobs).
 */
async function channelsHealth(db: Db, deploymentIssuer: string | undefined): Promise<ChannelHealth> {
  const rows = await db.selectFrom('google_channel').select(['issuer_id', 'paused_until', 'pause_reason', 'rate']).orderBy('issuer_id').execute();
  const paused = rows.filter((r) => r.pause_reason != null);
  return {
    healthy: !paused.some((r) => r.issuer_id === deploymentIssuer),
    state: paused.length ? 'paused' : 'ok',
    issuers: rows.length,
    ...(paused[0] && {
      reason: paused[0].pause_reason,
      pausedUntil: paused[0].paused_until,
      paused: paused.map((r) => ({ issuerId: r.issuer_id, reason: r.pause_reason, pausedUntil: r.paused_until })),
    }),
    throttled: rows.some((r) => r.rate != null),
  };
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
