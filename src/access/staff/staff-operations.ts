import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import type { StaffService } from './staff-service.js';

const slug = line().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a slug');
const staffInput = z.strictObject({
  email: z.email().max(254),
  name: line().trim().min(1).max(100),
  role: z.enum(['brand_admin', 'marketer', 'store_manager', 'cashier']),
  brand: slug.optional().describe('deployment key only: the brand (default: that of the store or programs, else the first)'),
  programs: z.array(slug).min(1).max(100).optional().describe('confine them to these programs (default: the whole brand)'),
  storeId: z.uuid().optional().describe('required for store managers and cashiers: their store'),
});

const staffView = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['brand_admin', 'marketer', 'store_manager', 'cashier']),
    programs: z.array(z.string()).nullable(),
    storeId: z.uuid().nullable(),
    status: z.enum(['invited', 'active', 'revoked']),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Staff' });
const link = z.object({
  url: z.url().describe('one-time: opens the page where they set a password'),
  expiresAt: z.iso.datetime(),
  emailed: z.boolean().describe('the link was e-mailed to the person (SMTP configured and the server took it)'),
});
const idParams = z.object({ id: z.uuid() });

export const staffOperations = (staff: StaffService) => [
  operation({
    operationId: 'inviteStaff',
    method: 'post',
    path: '/staff',
    tag: 'Staff',
    summary: 'Invite a staff member; the one-time link to set a password is returned to the inviter',
    description:
      'Roles: brand_admin and marketer act like admin and marketer keys of their scope; store_manager and cashier work at one store (its till). The scope given must lie within the inviter’s.',
    roles: ['admin'],
    body: staffInput,
    responses: { 201: { description: 'The staff member and their invitation link', schema: z.object({ staff: staffView, invitation: link }) } },
    errors: [409],
    targets: () => [],
    handler: async ({ body, principal }) => ({ status: 201, body: await staff.invite(body, principal) }),
  }),
  operation({
    operationId: 'listStaff',
    method: 'get',
    path: '/staff',
    tag: 'Staff',
    summary: 'Staff members within the caller’s scope',
    roles: ['admin'],
    responses: { 200: { description: 'Staff', schema: z.object({ items: z.array(staffView) }) } },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: { items: await staff.list(principal) } }),
  }),
  operation({
    operationId: 'resetStaffPassword',
    method: 'post',
    path: '/staff/{id}/password-reset',
    tag: 'Staff',
    summary: 'A new one-time link to set a password (earlier links stop working)',
    roles: ['admin'],
    params: idParams,
    responses: { 201: { description: 'The link', schema: z.object({ link }) } },
    errors: [404, 409],
    targets: ({ params }) => [{ staff: params.id }],
    handler: async ({ params, principal }) => ({ status: 201, body: await staff.resetLink(params.id, principal) }),
  }),
  operation({
    operationId: 'revokeStaff',
    method: 'delete',
    path: '/staff/{id}',
    tag: 'Staff',
    summary: 'Revoke a staff member: they are signed out everywhere at once and cannot sign in',
    description: 'By an admin within its scope, or by a store manager (signed in) for a cashier of their store.',
    roles: ['admin', 'pos'],
    params: idParams,
    responses: { 204: { description: 'Revoked' } },
    errors: [404],
    targets: ({ params }) => [{ staff: params.id }],
    handler: async ({ params, principal }) => {
      await staff.revoke(params.id, principal);
      return { status: 204 };
    },
  }),
];
