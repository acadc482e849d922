import type { RequestHandler } from 'express';
import { sendProblem } from '../http/problem.js';

/**
 * The customer forms (join, code, unsubscribe) take no cookie, but a cross-site post could still
 * enrol or unsubscribe someone from another page: a browser posting across sites always says so
 * (Sec-Fetch-Site, or else an Origin that is not ours), and such a post is refused. A client that is no
 * browser sends neither; it can forge nothing a browser's user did not mean.
 */
export function refuseCrossSitePosts(publicUrl: string): RequestHandler {
  const ours = new URL(publicUrl).origin;
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    // A browser that sends Sec-Fetch-Site says where the post came from (behind a proxy the Host
    // may differ from PUBLIC_URL, the browser's word does not); older ones are judged by Origin.
    const crossSite = site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && origin !== ours;
    if (crossSite) return sendProblem(res, 403, 'Forbidden', 'This form may be sent only from this service’s own pages (cross-site request refused)');
    next();
  };
}
