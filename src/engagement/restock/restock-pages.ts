import { Router, type Request, type Response } from 'express';
import { html, type Html } from '../../platform/web/html.js';
import type { Lang } from '../../platform/web/lang.js';
import { langOf, pageHeaders, sendPage as page } from '../../platform/web/layout.js';
import { t } from '../../pages/texts.js';
import type { RestockService, RestockSubscriptionDetails } from './restock-service.js';

export const RESTOCK_UNSUBSCRIBE_PATH = '/restock/unsubscribe';

/**
 * The customer's unsubscribe link. GET only shows the subscription and a button: mail and
 * messenger link scanners prefetch GETs, and a prefetch must not cancel anything. The button
 * POSTs to the same address, which cancels and confirms.
 */
export function restockPageRoutes(restock: RestockService): Router {
  const router = Router();

  // The token is in the URL: never cache the page.
  router.use(RESTOCK_UNSUBSCRIBE_PATH, pageHeaders({ 'Cache-Control': 'private, no-store' }));
  const notFoundPage = (req: Request, res: Response, lang: Lang) =>
    page(req, res, 404, lang, t(lang, 'notFoundTitle'), html`<h1>${t(lang, 'notFoundTitle')}</h1><p>${t(lang, 'notFound')}</p>`);

  router.get(`${RESTOCK_UNSUBSCRIBE_PATH}/:token`, async (req, res) => {
    const lang = langOf(req);
    const subscription = await restock.findByToken(String(req.params.token ?? ''));
    if (!subscription) return notFoundPage(req, res, lang);
    page(req, res, 200, lang, t(lang, 'restockTitle'), subscriptionPage(lang, subscription, `${req.path}?lang=${lang}`));
  });

  router.post(`${RESTOCK_UNSUBSCRIBE_PATH}/:token`, async (req, res) => {
    const lang = langOf(req);
    const subscription = await restock.unsubscribeByToken(String(req.params.token ?? ''));
    if (!subscription) return notFoundPage(req, res, lang);
    if (subscription.status === 'notified') return page(req, res, 200, lang, t(lang, 'restockTitle'), subscriptionPage(lang, subscription, ''));
    page(
      req,
      res,
      200,
      lang,
      t(lang, 'restockUnsubscribedTitle'),
      html`<h1>${t(lang, 'restockUnsubscribedTitle')}</h1>
<p data-testid="restock-status">${t(lang, 'restockUnsubscribed', { item: subscription.title })}</p>`,
    );
  });

  return router;
}

function subscriptionPage(lang: Lang, s: RestockSubscriptionDetails, action: string): Html {
  const item = { item: s.title, program: s.program_name };
  const details = html`<dl>
<div><dt>${t(lang, 'restockSize')}</dt><dd>${s.size ?? t(lang, 'restockAnySize')}</dd></div>
<div><dt>${t(lang, 'restockStore')}</dt><dd>${s.store_name ?? t(lang, 'restockAnyStore')}</dd></div>
</dl>`;
  if (s.status === 'notified') {
    return html`<h1>${t(lang, 'restockTitle')}</h1><p data-testid="restock-status">${t(lang, 'restockAlreadyNotified', item)}</p>`;
  }
  if (s.status === 'cancelled') {
    return html`<h1>${t(lang, 'restockUnsubscribedTitle')}</h1><p data-testid="restock-status">${t(lang, 'restockUnsubscribed', item)}</p>`;
  }
  return html`<h1>${t(lang, 'restockTitle')}</h1>
<p class="lead">${t(lang, 'restockWaiting', item)}</p>
${details}
<form method="post" action="${action}">
<button type="submit">${t(lang, 'restockUnsubscribe')}</button>
</form>`;
}
