import { html, type Html } from '../platform/web/html.js';
import { LANGS, type Lang } from './i18n.js';

/** The page shell: no framework, one small stylesheet, no inline script or style (strict CSP). */
export function layout(lang: Lang, title: string, body: Html, path: string): Html {
  const switcher = LANGS.map((l) =>
    l === lang ? html`<strong>${l.toUpperCase()}</strong>` : html`<a href="${path}${path.includes('?') ? '&' : '?'}lang=${l}" hreflang="${l}">${l.toUpperCase()}</a>`,
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

/** Content-Security-Policy for the customer pages: only our own files, images may be data: URIs. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
