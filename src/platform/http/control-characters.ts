import type { RequestHandler } from 'express';
import { findControlCharacter } from '../shared/text.js';
import { sendProblem } from './problem.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Every path and query, API or page: a control character (%00 …) is a 400 before any route can
 * hand it to PostgreSQL, whatever the route is.
 */
export const refuseControlCharacters: RequestHandler = (req, res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return sendProblem(res, 400, 'Invalid request', 'The path is not valid percent-encoding');
  }
  if (CONTROL.test(path))
    return sendProblem(res, 400, 'Invalid request', 'The path must not contain control characters', {
      errors: [{ field: '(path)', message: 'must not contain control characters' }],
    });
  const inQuery = findControlCharacter(req.query);
  if (inQuery)
    return sendProblem(res, 400, 'Invalid request', `${inQuery}: must not contain control characters`, {
      errors: [{ field: inQuery, message: 'must not contain control characters' }],
    });
  next();
};
