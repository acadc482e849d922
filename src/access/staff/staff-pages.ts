import express, { Router, type Request, type Response } from 'express';
import { html, type Html } from '../../platform/web/html.js';
import { defineTexts, type Lang } from '../../platform/web/lang.js';
import { langOf, pageHeaders, sendPage } from '../../platform/web/layout.js';
import { RateLimiter } from '../../platform/http/rate-limiter.js';
import { sameOrigin, SESSION_COOKIE, sessionCookie } from '../../platform/http/route-table.js';
import { AppError } from '../../platform/shared/errors.js';
import { MIN_PASSWORD, type StaffService } from './staff-service.js';

const t = defineTexts({
  ru: {
    signInTitle: 'Вход для сотрудников',
    email: 'Эл. почта',
    password: 'Пароль',
    signIn: 'Войти',
    wrong: 'Неверная почта или пароль, либо вход временно закрыт после нескольких попыток.',
    tooMany: 'Слишком много попыток. Попробуйте через несколько минут.',
    crossSite: 'Форма отправлена с другого сайта.',
    welcomeTitle: 'Пароль для {name}',
    welcomeLead: 'Придумайте пароль (не короче {min} символов) для входа {email}.',
    newPassword: 'Новый пароль',
    repeat: 'Ещё раз',
    save: 'Сохранить пароль',
    mismatch: 'Пароли не совпадают.',
    tooShort: 'Пароль должен быть от {min} до 200 символов.',
    gone: 'Ссылка устарела или уже использована. Попросите администратора прислать новую.',
    passwordSet: 'Пароль сохранён. Войдите с ним.',
    signedInAs: 'Вы вошли как {name}',
    signOut: 'Выйти',
    signOutEverywhere: 'Выйти на всех устройствах',
  },
  en: {
    signInTitle: 'Staff sign-in',
    email: 'E-mail',
    password: 'Password',
    signIn: 'Sign in',
    wrong: 'Wrong e-mail or password, or signing in rests for a while after several attempts.',
    tooMany: 'Too many attempts. Try again in a few minutes.',
    crossSite: 'The form was sent from another site.',
    welcomeTitle: 'A password for {name}',
    welcomeLead: 'Choose a password (at least {min} characters) to sign in as {email}.',
    newPassword: 'New password',
    repeat: 'Again',
    save: 'Save the password',
    mismatch: 'The passwords differ.',
    tooShort: 'The password must be {min}–200 characters.',
    gone: 'This link has expired or was used already. Ask an administrator for a new one.',
    passwordSet: 'Password saved. Sign in with it.',
    signedInAs: 'Signed in as {name}',
    signOut: 'Sign out',
    signOutEverywhere: 'Sign out everywhere',
  },
});

export interface StaffPagesOptions {
  staff: StaffService;
  origin: string;
  /** Secure cookies (production: the service is reached over https). */
  secureCookies: boolean;
}

/** Where a sign-in may go on to: the service's own apps only (never another site: open redirects). */
function afterSignIn(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(till|console)(\/[A-Za-z0-9/_-]*)?$/.test(next) ? next : undefined;
}

/** Sign-in, sign-out and the one-time password page: server-rendered, ru/en, no script. */
export function staffPages(o: StaffPagesOptions): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 5 });
  const perIp = new RateLimiter(20, 60_000);
  router.use(['/login', '/logout', '/staff/welcome', '/staff/me'], pageHeaders({ 'Cache-Control': 'no-store' }));

  const alert = (text?: string): Html | string => (text ? html`<div class="alert" role="alert">${text}</div>` : '');
  const loginPage = (req: Request, res: Response, status: number, lang: Lang, message?: string, email = '', next = afterSignIn(req.query.next)) =>
    sendPage(
      req,
      res,
      status,
      lang,
      t(lang, 'signInTitle'),
      html`<h1>${t(lang, 'signInTitle')}</h1>
${alert(message)}
<form method="post" action="/login">
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<div class="field"><label for="email">${t(lang, 'email')}</label><input id="email" name="email" type="email" autocomplete="username" value="${email}" required></div>
<div class="field"><label for="password">${t(lang, 'password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<button type="submit">${t(lang, 'signIn')}</button>
</form>`,
    );

  router.get('/login', (req, res) => loginPage(req, res, 200, langOf(req), req.query.welcome ? t(langOf(req), 'passwordSet') : undefined));
  router.post('/login', form, async (req, res) => {
    const lang = langOf(req);
    // Login CSRF: a foreign page must not sign the browser in to someone else's account.
    if (!sameOrigin(req, o.origin)) return loginPage(req, res, 403, lang, t(lang, 'crossSite'));
    if (!perIp.take(req.ip ?? 'unknown')) return loginPage(req, res, 429, lang, t(lang, 'tooMany'));
    const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
    const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 200) : '';
    const session = await o.staff.signIn(email, password, req.ip);
    const next = afterSignIn(req.body?.next);
    if (!session) return loginPage(req, res, 401, lang, t(lang, 'wrong'), email, next);
    res.cookie(SESSION_COOKIE, session.sessionId, { httpOnly: true, sameSite: 'lax', secure: o.secureCookies, path: '/', maxAge: session.maxAgeMs });
    res.redirect(303, next ?? '/staff/me');
  });

  router.get('/staff/me', async (req, res) => {
    const lang = langOf(req);
    const id = sessionCookie(req);
    const me = id ? await o.staff.authenticateSession(id) : null;
    if (!me) return res.redirect(303, '/login');
    sendPage(
      req,
      res,
      200,
      lang,
      t(lang, 'signedInAs', { name: me.name }),
      html`<h1>${t(lang, 'signedInAs', { name: me.name })}</h1>
<form method="post" action="/logout"><button type="submit">${t(lang, 'signOut')}</button></form>
<form method="post" action="/logout?everywhere=1"><button type="submit" class="secondary">${t(lang, 'signOutEverywhere')}</button></form>`,
    );
  });

  router.post('/logout', async (req, res) => {
    const lang = langOf(req);
    if (!sameOrigin(req, o.origin)) return loginPage(req, res, 403, lang, t(lang, 'crossSite'));
    const id = sessionCookie(req);
    if (id) {
      const me = req.query.everywhere ? await o.staff.authenticateSession(id) : null;
      await o.staff.signOut(id, req.ip);
      if (me) await o.staff.endSessions(me.keyId.slice('staff:'.length));
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });

  const welcomePage = async (req: Request, res: Response, status: number, lang: Lang, token: string, message?: string) => {
    const holder = await o.staff.linkHolder(token);
    if (!holder) return sendPage(req, res, 410, lang, t(lang, 'gone'), html`<h1>${t(lang, 'gone')}</h1>`);
    sendPage(
      req,
      res,
      status,
      lang,
      t(lang, 'welcomeTitle', { name: holder.name }),
      html`<h1>${t(lang, 'welcomeTitle', { name: holder.name })}</h1>
<p>${t(lang, 'welcomeLead', { min: MIN_PASSWORD, email: holder.email })}</p>
${alert(message)}
<form method="post">
<input type="hidden" name="email" value="${holder.email}" autocomplete="username">
<div class="field"><label for="password">${t(lang, 'newPassword')}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD}" required></div>
<div class="field"><label for="repeat">${t(lang, 'repeat')}</label><input id="repeat" name="repeat" type="password" autocomplete="new-password" required></div>
<button type="submit">${t(lang, 'save')}</button>
</form>`,
    );
  };
  router.get('/staff/welcome/:token', (req, res) => welcomePage(req, res, 200, langOf(req), String(req.params.token)));
  router.post('/staff/welcome/:token', form, async (req, res) => {
    const lang = langOf(req);
    const token = String(req.params.token);
    if (!sameOrigin(req, o.origin)) return welcomePage(req, res, 403, lang, token, t(lang, 'crossSite'));
    if (!perIp.take(req.ip ?? 'unknown')) return welcomePage(req, res, 429, lang, token, t(lang, 'tooMany'));
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    if (password !== req.body?.repeat) return welcomePage(req, res, 400, lang, token, t(lang, 'mismatch'));
    try {
      await o.staff.setPassword(token, password, req.ip);
    } catch (err) {
      if (err instanceof AppError && err.status === 400) return welcomePage(req, res, 400, lang, token, t(lang, 'tooShort', { min: MIN_PASSWORD }));
      if (err instanceof AppError && err.status === 410) return welcomePage(req, res, 410, lang, token);
      throw err;
    }
    res.redirect(303, `/login?welcome=1&lang=${lang}`);
  });
  return router;
}
