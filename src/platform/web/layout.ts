import type { Request, RequestHandler, Response } from 'express';
import { html, type Html } from './html.js';
import { isLang, LANGS, pickLang, type Lang } from './lang.js';

/** Content-Security-Policy for the customer pages: only our own files, images may be data: URIs. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The page shell of every customer page: no framework, one small stylesheet, no inline script or style (strict CSP). */
export function layout(lang: Lang, title: string, body: Html, path: string): Html {
  const switcher = LANGS.map((l) =>
    l === lang
      ? html`<strong>${l.toUpperCase()}</strong>`
      : html`<a href="${path}${path.includes('?') ? '&' : '?'}lang=${l}" hreflang="${l}">${l.toUpperCase()}</a>`,
  );
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<nav class="lang">${switcher}</nav>
<main>
${body}
</main>
</body>
</html>`;
}

/** Headers of every page; `extra` adds or overrides (Vary, Cache-Control). */
export function pageHeaders(extra: Record<string, string> = {}): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      // Personal links carry their token in the URL: never leak it to other sites.
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'X-Robots-Tag': 'noindex',
      Vary: 'Accept-Language, Cookie',
      ...extra,
    });
    next();
  };
}

export const langOf = (req: Request): Lang => pickLang(req.query.lang, req.get('cookie'), req.get('accept-language'));

/** Sends `body` in the layout; a language picked with the switcher (?lang=) is remembered for a year. */
export function sendPage(req: Request, res: Response, status: number, lang: Lang, title: string, body: Html): void {
  if (isLang(req.query.lang)) res.cookie('lang', lang, { maxAge: 365 * 86_400_000, sameSite: 'lax', httpOnly: true });
  res
    .status(status)
    .type('html')
    .send(layout(lang, title, body, req.path).toString());
}
