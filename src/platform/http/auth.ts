import type { RequestHandler, Response } from 'express';
import type { ApiKeyService, Principal } from '../../access/api-keys/api-key-service.js';
import type { Role } from '../db/schema.js';
import { sendProblem } from './problem.js';

/** Resolves `Authorization: Bearer <key>` to a principal and checks its role. */
export function authenticate(keys: ApiKeyService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer');
      return sendProblem(res, 401, 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>"');
    }
    const principal = await keys.authenticate(match[1]!);
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return sendProblem(res, 401, 'Unauthorized', 'The API key is unknown or revoked');
    }
    res.locals.principal = principal;
    next();
  };
}

export function allow(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!roles.includes(principal.role)) {
      return sendProblem(res, 403, 'Forbidden', `This operation needs one of the roles: ${roles.join(', ')}; the key has role ${principal.role}`);
    }
    next();
  };
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('route is missing the authenticate middleware');
  return principal;
}
