import express, { Router, type Request, type Response } from 'express';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../platform/db/database.js';
import type { Card, Customer, Program, PendingEnrolment } from '../platform/db/schema.js';
import type { Logger } from '../platform/log/logger.js';
import type { CardService } from '../loyalty/cards/card-service.js';
import { cardLinksOf, cardPageUrl, firstName, type CardLinkBuilder } from '../loyalty/cards/card-view.js';
import { qrSvg } from '../platform/qr/qr-code.js';
import { html } from '../platform/web/html.js';
import { JOIN_SOURCES } from './qr/qr-operations.js';
import { enrolmentInput } from '../loyalty/cards/enrolment-input.js';
import type { ProgramService } from '../loyalty/programs/program-service.js';
import { ValidationError } from '../platform/shared/errors.js';
import { normalizePhone } from '../platform/shared/phone.js';
import { TEMPLATES_DIR } from '../platform/paths.js';
import { langOf, pageHeaders, sendPage as page } from '../platform/web/layout.js';
import type { Lang } from '../platform/web/lang.js';
import { t, type PageText } from './texts.js';
import { cardPage, codePage, deviceOf, joinPage, messagePage, policyPage, type JoinField, type JoinFormValues } from './pages.js';
import { RateLimiter } from '../platform/http/rate-limiter.js';
import { PhoneVerification } from '../loyalty/cards/phone-verification.js';
import { maskPhone } from '../platform/log/logger.js';

export interface WebOptions {
  db: Db;
  programs: ProgramService;
  cards: CardService;
  cardLinks: CardLinkBuilder[];
  publicUrl: string;
  defaultPhoneRegion: string;
  logger: Logger;
  /** A known phone enrolled again: its card link goes to that phone, never to the browser. */
  sendExistingCardLink?: (card: Card, customer: Customer, program: Program, lang: Lang) => Promise<void>;
  /** The code texted to the joiner's phone; absent: no program verifies. */
  verification?: PhoneVerification;
  /** The customer's own consent change (recorded as theirs, from the card page). */
  setMarketing: (customerId: string, granted: boolean) => Promise<void>;
  /** Whether a program's join form asks for the code (its setting, else whether texts reach phones). */
  verifies: (program: Program) => boolean;
  limits?: { perIp?: number; perPhone?: number; windowMs?: number };
}

/** The customer-facing pages: the join form behind SMS/QR links and the personal card page. */
export function webRoutes(o: WebOptions): Router {
  const router = Router();
  const windowMs = o.limits?.windowMs ?? 10 * 60_000;
  const perIp = new RateLimiter(o.limits?.perIp ?? 30, windowMs);
  const perPhone = new RateLimiter(o.limits?.perPhone ?? 5, windowMs);
  const form = express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 20 });

  // The card page differs per device (one wallet button), so caches must key on User-Agent too.
  router.use(['/join', '/c'], pageHeaders({ Vary: 'Accept-Language, Cookie, User-Agent' }));
  router.use('/assets', express.static(path.join(TEMPLATES_DIR, 'web'), { maxAge: '1d', fallthrough: false }));

  async function programFor(req: Request, res: Response, lang: Lang): Promise<Program | undefined> {
    const program = await o.programs.findBySlug(String(req.params.slug ?? ''));
    if (!program) page(req, res, 404, lang, t(lang, 'notFoundTitle'), messagePage(t(lang, 'notFoundTitle'), t(lang, 'programNotFound')));
    return program;
  }

  /** ?store= and ?src= from the QR/SMS link, carried through the form; anything odd is dropped. */
  async function context(program: Program, input: { store?: unknown; src?: unknown }) {
    const hidden: Record<string, string> = {};
    let storeId: string | undefined;
    if (typeof input.store === 'string' && z.uuid().safeParse(input.store).success) {
      const store = await o.db.selectFrom('stores').select('id').where('id', '=', input.store).where('program_id', '=', program.id).executeTakeFirst();
      if (store) hidden.store = storeId = store.id;
    }
    const src = JOIN_SOURCES.find((s) => s === input.src);
    if (src) hidden.src = src;
    return { hidden, storeId, source: src ?? 'web' };
  }

  /** The program's own policy, else its brand's, else the page the service writes from the program's terms. */
  const policyUrl = async (program: Program) =>
    program.privacy_policy_url ??
    (await o.db.selectFrom('brands').select('privacy_url').where('id', '=', program.brand_id).executeTakeFirst())?.privacy_url ??
    `/join/${program.slug}/privacy`;
  const emptyValues: JoinFormValues = { name: '', phone: '', birthday: '', consentPersonal: false, consentMarketing: false };

  router.get('/join/:slug', async (req, res) => {
    const lang = langOf(req);
    const program = await programFor(req, res, lang);
    if (!program) return;
    const { hidden } = await context(program, req.query);
    page(
      req,
      res,
      200,
      lang,
      t(lang, 'joinTitle', { program: program.name }),
      joinPage({ lang, program, action: req.originalUrl.split('?')[0]!, values: emptyValues, errors: {}, policyUrl: await policyUrl(program), hidden }),
    );
  });

  router.get('/join/:slug/privacy', async (req, res) => {
    const lang = langOf(req);
    const program = await programFor(req, res, lang);
    if (program) page(req, res, 200, lang, t(lang, 'policyTitle'), policyPage(lang, program));
  });

  router.post('/join/:slug', form, async (req, res) => {
    const lang = langOf(req);
    const program = await programFor(req, res, lang);
    if (!program) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const values: JoinFormValues = {
      name: str('name').slice(0, 100),
      phone: str('phone').slice(0, 40),
      birthday: str('birthday').slice(0, 10),
      consentPersonal: str('consentPersonal') === 'yes',
      consentMarketing: str('consentMarketing') === 'yes',
    };
    const { hidden, storeId, source } = await context(program, body);
    const policy = await policyUrl(program);
    const render = (status: number, errors: Partial<Record<JoinField, string>>, alert = Object.keys(errors).length ? t(lang, 'errorsTitle') : undefined) =>
      page(
        req,
        res,
        status,
        lang,
        t(lang, 'joinTitle', { program: program.name }),
        joinPage({ lang, program, action: req.originalUrl.split('?')[0]!, values, errors, alert, policyUrl: policy, hidden }),
      );

    if (!perIp.take(req.ip ?? 'unknown')) return render(429, {}, t(lang, 'tooMany'));
    // A field no person sees: a filled one is a bot. Nothing is created, and it is told nothing useful.
    if (str('website')) {
      o.logger.info({ program: program.slug }, 'join form honeypot filled: rejected');
      return render(400, {});
    }
    const phone = normalizePhone(values.phone, o.defaultPhoneRegion);
    if (phone && !perPhone.take(phone)) return render(429, {}, t(lang, 'tooMany'));

    // The same rules as the API: the form is just another client of enrolment.
    const parsed = enrolmentInput.safeParse({
      program: program.slug,
      customer: { name: values.name, phone: values.phone, ...(values.birthday && { birthday: values.birthday }) },
      consent: { personalData: values.consentPersonal, marketing: values.consentMarketing },
      ...(storeId && { homeStoreId: storeId }),
      source,
    });
    const errors: Partial<Record<JoinField, string>> = {};
    if (!parsed.success) for (const issue of parsed.error.issues) addFieldError(errors, issue.path.map(String).join('.'), lang);
    if (!phone) errors.phone = t(lang, 'phoneInvalid');
    else if (!PhoneVerification.regionAllowed(program, phone, o.defaultPhoneRegion)) errors.phone = t(lang, 'regionRefused');
    if (!parsed.success || Object.keys(errors).length) return render(400, errors);

    if (o.verification && o.verifies(program)) {
      // The next page is the same for every phone: the code, not the form, opens the card.
      const pending: PendingEnrolment = {
        name: parsed.data.customer.name,
        ...(parsed.data.customer.birthday && { birthday: parsed.data.customer.birthday }),
        marketing: parsed.data.consent.marketing,
        ...(storeId && { homeStoreId: storeId }),
        source,
        lang,
      };
      const started = await o.verification.start(program, phone!, pending, req.ip ?? 'unknown');
      if (started.kind === 'not_sent') return render(429, {}, t(lang, 'codeNotSent', { minutes: Math.ceil(started.retryAfterSeconds / 60) }));
      return res.redirect(303, `/join/${program.slug}/verify/${started.id}?lang=${lang}`);
    }

    try {
      const result = await o.cards.enrol(parsed.data, { source, storeId: storeId ?? null, recordedBy: 'customer' });
      if (result.created) return res.redirect(303, `/c/${result.card.link_token}?lang=${lang}`);
      await o.sendExistingCardLink?.(result.card, result.customer, program, lang);
      page(req, res, 200, lang, t(lang, 'checkPhoneTitle'), messagePage(t(lang, 'checkPhoneTitle'), t(lang, 'checkPhone')));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const f of err.fields) addFieldError(errors, f.field, lang);
      render(400, errors);
    }
  });

  const verifyPage = async (
    req: Request,
    res: Response,
    program: Program,
    id: string,
    status: number,
    lang: Lang,
    text: { alert?: string; notice?: string } = {},
  ) => {
    const row = await o.verification?.find(id, program.id);
    if (!row) return expiredCode(req, res, program, lang);
    const base = `/join/${program.slug}/verify/${id}`;
    page(
      req,
      res,
      status,
      lang,
      t(lang, 'codeTitle'),
      codePage({
        lang,
        program,
        action: `${base}?lang=${lang}`,
        resendAction: `${base}/resend?lang=${lang}`,
        maskedPhone: maskPhone(row.phone) ?? '',
        ...text,
      }),
    );
  };
  const expiredCode = (req: Request, res: Response, program: Program, lang: Lang) =>
    page(
      req,
      res,
      410,
      lang,
      t(lang, 'codeTitle'),
      html`${messagePage(t(lang, 'codeTitle'), t(lang, 'codeExpired'))}<p><a href="/join/${program.slug}?lang=${lang}">${t(lang, 'startAgain')}</a></p>`,
    );
  const codeTries = new RateLimiter(o.limits?.perIp ?? 30, windowMs);

  router.get('/join/:slug/verify/:id', async (req, res) => {
    const lang = langOf(req);
    const program = await programFor(req, res, lang);
    if (program) await verifyPage(req, res, program, String(req.params.id), 200, lang);
  });

  router.post('/join/:slug/verify/:id', form, async (req, res) => {
    const lang = langOf(req);
    const program = await programFor(req, res, lang);
    if (!program) return;
    if (!o.verification) return expiredCode(req, res, program, lang);
    const id = String(req.params.id);
    if (!codeTries.take(req.ip ?? 'unknown')) return verifyPage(req, res, program, id, 429, lang, { alert: t(lang, 'tooMany') });
    const code = typeof req.body?.code === 'string' ? (req.body.code as string).slice(0, 20) : '';
    const result = await o.verification.confirm(program.id, id, code);
    if (result.kind === 'expired') return expiredCode(req, res, program, lang);
    if (result.kind === 'wrong') return verifyPage(req, res, program, id, 400, lang, { alert: t(lang, 'codeWrong', { left: result.attemptsLeft }) });
    const e = result.enrolment;
    const enrolled = await o.cards.enrol(
      {
        program: program.slug,
        customer: { name: e.name, phone: result.phone, ...(e.birthday && { birthday: e.birthday }) },
        consent: { personalData: true, marketing: e.marketing },
        ...(e.homeStoreId && { homeStoreId: e.homeStoreId }),
        source: e.source as never,
        lang: e.lang,
        sendSms: false,
      },
      { source: e.source, storeId: e.homeStoreId ?? null, recordedBy: 'customer', verified: true },
    );
    // The phone is proven the joiner's: a member gets their own card, a newcomer a new one.
    res.redirect(303, `/c/${enrolled.card.link_token}?lang=${e.lang}`);
  });

  router.post('/join/:slug/verify/:id/resend', form, async (req, res) => {
    const lang = langOf(req);
    const program = await programFor(req, res, lang);
    if (!program) return;
    if (!o.verification) return expiredCode(req, res, program, lang);
    const id = String(req.params.id);
    const sent = await o.verification.resend(program, id, req.ip ?? 'unknown');
    if (sent.kind === 'expired') return expiredCode(req, res, program, lang);
    if (sent.kind === 'wait') return verifyPage(req, res, program, id, 429, lang, { alert: t(lang, 'codeWait', { seconds: sent.retryAfterSeconds }) });
    if (sent.kind === 'not_sent')
      return verifyPage(req, res, program, id, 429, lang, { alert: t(lang, 'codeNotSent', { minutes: Math.ceil(sent.retryAfterSeconds / 60) }) });
    await verifyPage(req, res, program, id, 200, lang, { notice: t(lang, 'codeResent') });
  });

  router.get('/c/:token', async (req, res) => {
    const lang = langOf(req);
    const token = String(req.params.token ?? '');
    const card = /^[A-Za-z0-9_-]{20,100}$/.test(token)
      ? await o.db.selectFrom('cards').selectAll().where('link_token', '=', token).executeTakeFirst()
      : undefined;
    if (!card) return page(req, res, 404, lang, t(lang, 'notFoundTitle'), messagePage(t(lang, 'notFoundTitle'), t(lang, 'notFound')));
    const [program, customer] = await Promise.all([
      o.db.selectFrom('programs').selectAll().where('id', '=', card.program_id).executeTakeFirstOrThrow(),
      o.db.selectFrom('customers').select(['name', 'marketing_consent']).where('id', '=', card.customer_id).executeTakeFirstOrThrow(),
    ]);
    const links = await cardLinksOf(card, program, o.cardLinks);
    const [barcodeSvg, pageQrSvg] = await Promise.all([
      qrSvg(card.barcode_value, { errorCorrectionLevel: 'M', margin: 2 }),
      qrSvg(cardPageUrl(o.publicUrl, card)),
    ]);
    res.set('Cache-Control', 'private, no-store');
    page(
      req,
      res,
      200,
      lang,
      t(lang, 'cardTitle', { program: program.name }),
      cardPage({
        lang,
        program,
        card,
        firstName: firstName(customer.name),
        device: deviceOf(req.get('user-agent')),
        links,
        barcodeSvg,
        pageQrSvg,
        marketing: customer.marketing_consent,
        marketingAction: `/c/${token}/marketing?lang=${lang}`,
      }),
    );
  });

  // The card page is the customer's own channel (its link is theirs alone): consent changes here are theirs.
  router.post('/c/:token/marketing', form, async (req, res) => {
    const lang = langOf(req);
    const token = String(req.params.token ?? '');
    const card = /^[A-Za-z0-9_-]{20,100}$/.test(token)
      ? await o.db.selectFrom('cards').select(['customer_id', 'status']).where('link_token', '=', token).executeTakeFirst()
      : undefined;
    if (!card || card.status === 'voided')
      return page(req, res, 404, lang, t(lang, 'notFoundTitle'), messagePage(t(lang, 'notFoundTitle'), t(lang, 'notFound')));
    const wanted = (req.body as Record<string, unknown> | undefined)?.marketing;
    if (wanted !== 'yes' && wanted !== 'no')
      return page(req, res, 400, lang, t(lang, 'errorsTitle'), messagePage(t(lang, 'errorsTitle'), 'marketing: yes or no'));
    await o.setMarketing(card.customer_id, wanted === 'yes');
    res.redirect(303, `/c/${token}?lang=${lang}`);
  });

  return router;
}

// `as const` keeps each key literal, so t() knows none of them is a plural entry.
const FIELD_ERRORS = {
  'customer.name': ['name', 'nameInvalid'],
  'customer.phone': ['phone', 'phoneInvalid'],
  'customer.birthday': ['birthday', 'birthdayInvalid'],
  'consent.personalData': ['consentPersonal', 'consentRequired'],
} as const satisfies Record<string, readonly [JoinField, PageText]>;
type FieldError = (typeof FIELD_ERRORS)[keyof typeof FIELD_ERRORS];

function addFieldError(errors: Partial<Record<JoinField, string>>, path: string, lang: Lang): void {
  const hit: FieldError | undefined = FIELD_ERRORS[path as keyof typeof FIELD_ERRORS];
  if (hit && !errors[hit[0]]) errors[hit[0]] = t(lang, hit[1]);
}
