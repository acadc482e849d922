import type { z } from 'zod';
import type { Role } from '../db/schema.js';

/**
 * Who is calling: resolved from the API key at the edge and handed to the handler. Its scope is
 * brandId (null: the whole deployment, only the bootstrap key), programIds within the brand (null:
 * all of them) and storeId (a till's one store).
 */
export interface Principal {
  /** 'bootstrap' for ADMIN_API_KEY. */
  keyId: string;
  name: string;
  /** 'device': a paired till device itself, before a cashier switches in (it may do only that). */
  role: Role | 'device';
  /** For people: their staff role (a store manager pairs devices); undefined for keys. */
  staffRole?: 'brand_admin' | 'marketer' | 'store_manager' | 'cashier';
  /** Set when a cashier switched in on a paired till device. */
  deviceId?: string;
  brandId: string | null;
  programIds: string[] | null;
  /** Set for pos keys: the one store this till belongs to. */
  storeId: string | null;
}

/** Resolves a presented bearer token (an API key) to its principal. */
export type Authenticator = (token: string) => Promise<Principal | null>;

/**
 * What an operation reaches, by the identifier the caller sent: checked against the caller's scope.
 * `field`: where the request named it (body or query); a missing or out-of-scope one is then a 400
 * naming that field, as any bad field is. Named in the path: 404.
 */
export type ScopeTarget = (
  | { brand: string }
  | { program: string }
  | { card: string }
  | { customer: string }
  | { store: string }
  | { campaign: string }
  | { restockSubscription: string }
  | { apiKey: string }
  | { staff: string }
  | { tillDevice: string }
) & { field?: string };

/** Throws 404 (or 400 naming its field) for a target outside the principal's scope, or missing: the caller cannot tell which. */
export type Confiner = (principal: Principal, target: ScopeTarget) => Promise<void>;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One documented answer: a JSON body with a schema, a binary of some media type, or no body. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** A non-JSON body (image/png …). */
  mediaType?: string;
  headers?: Record<string, string>;
}

/** What a handler answers. A Buffer or string body is sent as is with `type`; anything else as JSON. */
export interface Reply {
  status: number;
  body?: unknown;
  /** Sent chunk by chunk as it is produced (CSV exports), with `type`; instead of a body. */
  stream?: Iterable<string> | AsyncIterable<string>;
  type?: string;
  headers?: Record<string, string>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface OperationInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  principal: Principal;
  /** The Idempotency-Key header, validated; set when the operation requires one. */
  idempotencyKey: string;
  /** A request header (If-None-Match …). */
  header(name: string): string | undefined;
  /** The caller's address (behind the configured proxies). */
  ip: string | undefined;
}

/**
 * One /api/v1 operation, declared once: the express route, the role check, input parsing and the
 * OpenAPI operation are all generated from this.
 */
export interface OperationSpec<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  operationId: string;
  method: Method;
  /** OpenAPI style, relative to /api/v1: '/cards/{cardNumber}'. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  roles: readonly (Role | 'device')[];
  params?: P;
  query?: Q;
  body?: B;
  /** Money-moving calls: the Idempotency-Key header is required. */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
  /** Problem statuses besides those every operation can answer (400, 401, 403). */
  errors?: number[];
  /**
   * What the call reaches, confined to the caller's scope before the handler runs. An empty list
   * says the operation names nothing (its service confines by the principal: lists, creation).
   */
  targets: (input: Omit<OperationInput<P, Q, B>, 'idempotencyKey' | 'header' | 'ip'>) => ScopeTarget[];
  handler: (input: OperationInput<P, Q, B>) => Promise<Reply>;
}

export type Operation = OperationSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/** Declares an operation with its handler's input typed by its schemas. */
export function operation<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: OperationSpec<P, Q, B>): Operation {
  return spec as unknown as Operation;
}
