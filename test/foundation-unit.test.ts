import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/platform/config/config.js';
import { maskPhone, redactPath } from '../src/platform/log/logger.js';
import { normalizePhone } from '../src/platform/shared/phone.js';

describe('config', () => {
  it('applies defaults in development', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, dataDir: './data', publicUrl: 'http://localhost:3000', isProduction: false, databaseUrl: undefined });
  });

  it('names each malformed or missing setting', () => {
    const bad = () => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT .*\n.*DATABASE_URL/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'http://example.com', ADMIN_API_KEY: 'k'.repeat(30), DATABASE_URL: 'postgres://h/db' }),
    ).toThrow(/PUBLIC_URL must be https/);
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://x.example', DATABASE_URL: 'postgres://h/db' })).toThrow(/ADMIN_API_KEY is required/);
  });

  it('never echoes a secret value in its message', () => {
    try {
      loadConfig({ ADMIN_API_KEY: 'short-secret' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('ADMIN_API_KEY');
      expect((e as Error).message).not.toContain('short-secret');
    }
  });
});

describe('privacy helpers', () => {
  it('masks phones and redacts secret path segments', () => {
    expect(maskPhone('+79161234567')).toBe('+7916*****67');
    expect(redactPath('/v1/devices/abc123/registrations/pass.x/serial')).toBe('/v1/devices/[redacted]/registrations/pass.x/serial');
    expect(redactPath('/c/secret-token?lang=en')).toBe('/c/[redacted]');
    expect(redactPath('/wallet/apple/download/secret-token')).toBe('/wallet/apple/download/[redacted]');
    expect(redactPath('/restock/unsubscribe/secret-token')).toBe('/restock/unsubscribe/[redacted]');
  });

  it('normalises phones to E.164', () => {
    expect(normalizePhone('8 916 123-45-67', 'RU')).toBe('+79161234567');
    expect(normalizePhone('+44 20 7946 0958', 'RU')).toBe('+442079460958');
    expect(normalizePhone('12345', 'RU')).toBeNull();
  });
});
