import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { validateCompose } from './compose-validator';

const COMPOSE_FILE = join(__dirname, '..', '..', 'docker-compose.yml');

type Compose = { services: Record<string, Record<string, unknown>> };

function editedCompose(edit: (compose: Compose) => void): string {
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Compose;
  edit(compose);
  return stringify(compose);
}

function messages(yaml: string): string[] {
  return validateCompose(yaml).map((p) => `${p.object}: ${p.message}`);
}

describe('validateCompose', () => {
  test("the repository's docker-compose.yml passes", () => {
    expect(messages(readFileSync(COMPOSE_FILE, 'utf8'))).toEqual([]);
  });

  test('a port published on every interface is reported (issue 23: demo secrets stay local)', () => {
    const yaml = editedCompose((compose) => {
      const postgres = compose.services.postgres ?? {};
      postgres.ports = ['5432:5432'];
    });

    expect(messages(yaml)).toEqual([
      `compose service postgres: publishes "5432:5432" beyond 127.0.0.1; bind it as '127.0.0.1:HOST:CONTAINER'`,
    ]);
  });

  test('Redis requires a password and every client URL carries it', () => {
    const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Compose;
    expect(JSON.stringify(compose.services.redis?.command)).toContain('--requirepass');
    for (const name of ['receiver', 'worker']) {
      const env = compose.services[name]?.environment as Record<string, string>;
      expect(env.REDIS_URL).toMatch(/^redis:\/\/:[^@]+@redis:6379$/);
    }
  });

  test('the emulator serves its admin API only because the demo asks, outside production mode', () => {
    const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Compose;
    const emulator = compose.services.emulator ?? {};
    expect(emulator.command).toContain('--admin');
    expect((emulator.environment as Record<string, string>).NODE_ENV).toBe('development');
  });

  test('a misspelled key and an unknown depends_on condition fail the Compose schema', () => {
    const yaml = editedCompose((compose) => {
      const worker = compose.services.worker ?? {};
      worker.healthchek = worker.healthcheck;
      worker.depends_on = { migrate: { condition: 'service_finished' } };
    });

    const found = messages(yaml);

    expect(found).toContain(
      'compose: /services/worker must NOT have additional properties (healthchek)',
    );
    expect(found).toContain(
      'compose: /services/worker/depends_on/migrate/condition must be equal to one of the allowed values',
    );
  });

  test('waiting for a service that has no health check, or does not exist, is reported', () => {
    const yaml = editedCompose((compose) => {
      delete compose.services.receiver?.healthcheck;
      delete compose.services.migrate;
    });

    expect(messages(yaml)).toEqual([
      'compose service emulator: waits for receiver to be healthy, but receiver has no health check',
      'compose service worker: depends on migrate, which is not defined',
    ]);
  });

  test('waiting for a restarting service to complete is reported', () => {
    const yaml = editedCompose((compose) => {
      const migrate = compose.services.migrate ?? {};
      migrate.restart = 'on-failure';
    });

    expect(messages(yaml)).toEqual([
      'compose service worker: waits for migrate to complete, but migrate restarts (on-failure)',
    ]);
  });

  test('YAML that does not parse is a problem, not a crash', () => {
    expect(messages('services: [unclosed\n')[0]).toMatch(/^compose: /);
  });
});
