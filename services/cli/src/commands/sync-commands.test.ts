import { ConfigError } from '@omise-sync/core';
import { UsageError } from '../cli-env';
import {
  BackfillConfig,
  ReconcileConfig,
  loadSyncConfig,
  loadSyncConfigWithAccounts,
} from '../sync/sync-config';
import { parseResources, parseSince } from './backfill.command';

describe('sync command arguments and configuration', () => {
  it('when --resources lists known resources in any order, they come back charges first, once', () => {
    expect(parseResources(undefined)).toEqual([
      'charges',
      'disputes',
      'transfers',
      'customers',
      'recipients',
      'schedules',
      'links',
    ]);
    expect(parseResources('links,customers')).toEqual(['customers', 'links']);
    expect(parseResources('disputes, charges,disputes')).toEqual(['charges', 'disputes']);
    expect(parseResources('transfers,charges')).toEqual(['charges', 'transfers']);
    expect(() => parseResources('charges,refunds')).toThrow(UsageError);
  });

  it('when --since is a date or date-time it is parsed, anything else is a usage error', () => {
    expect(parseSince('2026-01-01')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseSince('2026-01-01T07:00:00+07:00')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseSince(undefined)).toBeUndefined();
    expect(() => parseSince('yesterday')).toThrow(UsageError);
  });

  it('when only the required variables are set, the documented defaults apply', () => {
    const config = loadSyncConfig(ReconcileConfig, {
      DATABASE_URL: 'postgres://u@db:5432/omise',
      REDIS_URL: 'redis://redis:6379',
      OMISE_SECRET_KEY: 'skey_test_123',
      PII_SALT: 'a-salt-of-sixteen-chars',
    });
    expect(config).toMatchObject({
      redis: { mode: 'standalone', bullmqPrefix: 'bull' },
      pii: { mode: 'hash', salt: 'a-salt-of-sixteen-chars' },
      lookbackMs: 168 * 3_600_000,
      settleMs: 120_000,
      directoriesEveryMs: 24 * 3_600_000,
      omise: { apiUrl: 'https://api.omise.co', rateLimitRps: 100, rateLimitBurst: 10 },
    });
  });

  it('when PII_MODE is hash (the default) and PII_SALT is missing, backfill and reconcile fail at start saying so', () => {
    const env = {
      DATABASE_URL: 'postgres://u@db:5432/omise',
      REDIS_URL: 'redis://redis:6379',
      OMISE_SECRET_KEY: 'skey_test_123',
    };
    for (const schema of [BackfillConfig, ReconcileConfig]) {
      expect(() => loadSyncConfig(schema, env)).toThrow(/PII_SALT: required when PII_MODE is hash/);
    }
    expect(loadSyncConfig(BackfillConfig, { ...env, PII_MODE: 'keep' }).pii).toEqual({
      mode: 'keep',
    });
  });

  it('when variables are missing or wrong, every problem is listed at once', () => {
    const error = (() => {
      try {
        loadSyncConfigWithAccounts(BackfillConfig, {
          OMISE_SECRET_KEY: 'pkey_test_123',
          BACKFILL_BATCH_SIZE: '0',
          DISPUTE_SEVERITY_RULES: '{not json',
        });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'DATABASE_URL',
      'OMISE_SECRET_KEY',
      'BACKFILL_BATCH_SIZE',
      'DISPUTE_SEVERITY_RULES',
      'PII_SALT',
    ]) {
      expect(problems).toContain(name);
    }
  });
});
