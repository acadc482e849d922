import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import type { TillDeviceService } from './till-device-service.js';
import type { StaffService } from '../staff/staff-service.js';

const deviceView = z
  .object({
    id: z.uuid(),
    storeId: z.uuid(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'TillDevice' });

export const tillDeviceOperations = (devices: TillDeviceService, staff: StaffService) => [
  operation({
    operationId: 'pairTillDevice',
    method: 'post',
    path: '/till-devices',
    tag: 'Till devices',
    summary: 'Pair a shared till device with a store; its token is returned once',
    description: 'By the store’s manager (signed in) or an admin. The token alone lets the device only list the store’s cashiers and switch one in by PIN.',
    roles: ['admin', 'pos'],
    body: z.strictObject({ storeId: z.uuid(), name: line().trim().min(1).max(100) }),
    responses: { 201: { description: 'The device and its token', schema: z.object({ device: deviceView, token: z.string() }) } },
    targets: ({ body }) => [{ store: body.storeId, field: 'storeId' }],
    handler: async ({ body, principal }) => ({ status: 201, body: await devices.pair(body, principal) }),
  }),
  operation({
    operationId: 'listTillDevices',
    method: 'get',
    path: '/till-devices',
    tag: 'Till devices',
    summary: 'A store’s till devices',
    roles: ['admin', 'pos'],
    query: z.object({ storeId: z.uuid() }),
    responses: { 200: { description: 'Devices, revoked ones included', schema: z.object({ items: z.array(deviceView) }) } },
    targets: ({ query }) => [{ store: query.storeId, field: 'storeId' }],
    handler: async ({ query, principal }) => ({ status: 200, body: { items: await devices.list(query.storeId, principal) } }),
  }),
  operation({
    operationId: 'revokeTillDevice',
    method: 'delete',
    path: '/till-devices/{id}',
    tag: 'Till devices',
    summary: 'Revoke a till device: it stops working and everyone switched in on it is signed out',
    roles: ['admin', 'pos'],
    params: z.object({ id: z.uuid() }),
    responses: { 204: { description: 'Revoked' } },
    errors: [404],
    targets: ({ params }) => [{ tillDevice: params.id }],
    handler: async ({ params, principal }) => {
      await devices.revoke(params.id, principal);
      return { status: 204 };
    },
  }),
  operation({
    operationId: 'setMyPin',
    method: 'post',
    path: '/staff/me/pin',
    tag: 'Staff',
    summary: 'Set your own PIN for switching in on the store’s till devices (signed-in staff only)',
    roles: ['admin', 'marketer', 'pos'],
    body: z.strictObject({ pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits') }),
    responses: { 204: { description: 'Set' } },
    targets: () => [],
    handler: async ({ body, principal }) => {
      await staff.setPin(principal, body.pin);
      return { status: 204 };
    },
  }),
  operation({
    operationId: 'listTillCashiers',
    method: 'get',
    path: '/till/cashiers',
    tag: 'Till devices',
    summary: 'Who may switch in on this device (a device token only): names, never more',
    roles: ['device'],
    responses: {
      200: {
        description: 'Cashiers and managers of the store with a PIN',
        schema: z.object({ items: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.string() })) }),
      },
    },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: { items: await devices.cashiers(principal) } }),
  }),
  operation({
    operationId: 'switchInAtTill',
    method: 'post',
    path: '/till/switch-in',
    tag: 'Till devices',
    summary: 'A cashier switches in on this device with their PIN; the answer is their till session token',
    description:
      'Send the device token. Five wrong PINs rest that person for 15 minutes. The session acts as that person (pos role, this store) and ends with the device.',
    roles: ['device'],
    body: z.strictObject({ staffId: z.uuid(), pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits') }),
    responses: {
      201: { description: 'The session: send it as "Authorization: Bearer <token>"', schema: z.object({ token: z.string(), expiresAt: z.iso.datetime() }) },
    },
    errors: [401, 429],
    targets: () => [],
    handler: async ({ body, principal, ip }) => ({ status: 201, body: await devices.switchIn(principal, body, ip) }),
  }),
];
