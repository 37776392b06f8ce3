import { parseArgs } from 'node:util';
import { ConfigError, envFields, parseEnv } from '@omise-sync/core';
import { z } from 'zod';
import { FaultsPatch, ScenarioName } from './admin-params';
import { DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY } from './emulator-options';

/**
 * base64 of "omise-emulator-default-webhook-secret": the documented secret deliveries are
 * signed with when `EMULATOR_WEBHOOK_SECRETS` is not set. Test use only.
 */
export const DEFAULT_WEBHOOK_SECRET = 'b21pc2UtZW11bGF0b3ItZGVmYXVsdC13ZWJob29rLXNlY3JldA==';

const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

/** Environment variables the emulator CLI reads. */
/** `EMULATOR_ACCOUNTS`: the accounts beside `default`. */
export const EmulatorAccountsInput = z.array(
  z.strictObject({
    name: z.string().regex(/^[a-z0-9-]{1,32}$/),
    secretKey: z.string().startsWith('skey_'),
    webhooks: z.array(z.strictObject({ url: z.url(), secrets: z.array(z.base64()) })).default([]),
  }),
);

export const EmulatorEnv = z.object({
  /** Secret key accepted on API endpoints. Default `skey_test_emulator`. */
  EMULATOR_SECRET_KEY: z.string().startsWith('skey_').default(DEFAULT_SECRET_KEY),
  /** Public key accepted on `/tokens`. Default `pkey_test_emulator`. */
  EMULATOR_PUBLIC_KEY: z.string().startsWith('pkey_').default(DEFAULT_PUBLIC_KEY),
  /** TCP port. Default 4010. */
  EMULATOR_PORT: envFields.port(4010),
  /** Interface to listen on. Default 127.0.0.1. */
  EMULATOR_HOST: z.string().default('127.0.0.1'),
  /** Comma-separated webhook URLs. Default none. */
  EMULATOR_WEBHOOK_URLS: commaList.pipe(z.array(z.url())).default([]),
  /** Comma-separated base64 secrets (two while rotating). Default DEFAULT_WEBHOOK_SECRET. */
  EMULATOR_WEBHOOK_SECRETS: commaList
    .pipe(z.array(z.base64()).min(1))
    .default([DEFAULT_WEBHOOK_SECRET]),
  /** NDJSON state file, loaded at start and written at shutdown. Default none. */
  EMULATOR_SNAPSHOT_FILE: z.string().optional(),
  /** JSON object of faults, e.g. `{"rateLimitShare":0.05}`. Default none. */
  EMULATOR_FAULTS: envFields.json(FaultsPatch).optional(),
  /**
   * Further accounts as a JSON list of `{ name, secretKey, webhooks?: [{ url, secrets }] }`
   * (each its own data, events and webhooks; see README). Default none.
   */
  EMULATOR_ACCOUNTS: envFields.json(EmulatorAccountsInput).optional(),
  /** pino level. Default info. */
  EMULATOR_LOG_LEVEL: envFields.logLevel(),
  /** `on` serves the `/_emulator/*` admin API (as `--admin` does). Default off. */
  EMULATOR_ADMIN: z.enum(['on', 'off']).default('off'),
});
export type EmulatorEnv = z.infer<typeof EmulatorEnv>;

export interface EmulatorCliConfig {
  env: EmulatorEnv;
  port: number;
  host: string;
  webhookUrls: string[];
  snapshotFile: string | undefined;
  seed: string | undefined;
  /** Serve the `/_emulator/*` admin API. */
  adminApi: boolean;
  scenario:
    | {
        name: ScenarioName;
        charges: number;
        ratePerSecond: number;
        refundShare: number;
        disputeShare: number;
        payoutEvery: number;
        webhooks: boolean;
      }
    | undefined;
}

export const CLI_USAGE = `Usage: omise-emulator [options]

  --port N              port (env EMULATOR_PORT, default 4010)
  --host HOST           interface (env EMULATOR_HOST, default 127.0.0.1)
  --webhook-url URL     deliver webhooks here (repeatable; env EMULATOR_WEBHOOK_URLS)
  --snapshot FILE       load state at start, save it at shutdown (env EMULATOR_SNAPSHOT_FILE)
  --seed SEED           deterministic ids and choices
  --scenario NAME       traffic | demo | bulk
  --charges N           charges the scenario creates (default: 100; demo 300; bulk 100000)
  --rate N              charges per second (traffic/demo; default 20; demo 10)
  --refund-share X      share of charges refunded (default 0.1)
  --dispute-share X     share of charges disputed (default 0.05)
  --payout-every N      pay out the balance after every N charges (default 0 = never; demo 50)
  --with-webhooks       bulk: deliver the seeded events to the webhooks too
  --admin               serve the /_emulator admin API (env EMULATOR_ADMIN=on; default off)
  --help                this text
`;

const number = (
  name: string,
  value: string | undefined,
  problems: string[],
): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    problems.push(`--${name}: must be a non-negative number`);
    return undefined;
  }
  return n;
};

/**
 * The rest of omise-sync names the same settings OMISE_SECRET_KEY, OMISE_WEBHOOK_SECRETS and
 * LOG_LEVEL (the receiver verifies with the secrets the emulator signs with), so those are
 * accepted when the EMULATOR_* name is not set.
 */
function withSharedNames(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const pick = (own: string, shared: string): Record<string, string> => {
    const value = env[own] ?? env[shared];
    return value === undefined || value === '' ? {} : { [own]: value };
  };
  return {
    ...env,
    ...pick('EMULATOR_SECRET_KEY', 'OMISE_SECRET_KEY'),
    ...pick('EMULATOR_PUBLIC_KEY', 'OMISE_PUBLIC_KEY'),
    ...pick('EMULATOR_WEBHOOK_SECRETS', 'OMISE_WEBHOOK_SECRETS'),
    ...pick('EMULATOR_LOG_LEVEL', 'LOG_LEVEL'),
  };
}

/**
 * Reads the CLI's configuration from the environment and the arguments (flags win).
 * @throws ConfigError listing every problem.
 */
export function loadEmulatorConfig(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
): EmulatorCliConfig {
  const parsedEnv = parseEnv(EmulatorEnv, withSharedNames(env));
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'webhook-url': { type: 'string', multiple: true },
      snapshot: { type: 'string' },
      seed: { type: 'string' },
      scenario: { type: 'string' },
      charges: { type: 'string' },
      rate: { type: 'string' },
      'refund-share': { type: 'string' },
      'dispute-share': { type: 'string' },
      'payout-every': { type: 'string' },
      'with-webhooks': { type: 'boolean' },
      admin: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const problems: string[] = [];
  const port = number('port', values.port, problems) ?? parsedEnv.EMULATOR_PORT;
  const webhookUrls = values['webhook-url'] ?? parsedEnv.EMULATOR_WEBHOOK_URLS;
  for (const url of webhookUrls) {
    if (!z.url({ protocol: /^https?$/ }).safeParse(url).success) {
      problems.push(`--webhook-url: ${url} is not an http(s) URL`);
    }
  }
  let scenario: EmulatorCliConfig['scenario'];
  if (values.scenario !== undefined) {
    const name = ScenarioName.safeParse(values.scenario);
    if (!name.success) {
      problems.push(`--scenario: must be one of ${ScenarioName.options.join(', ')}`);
    } else {
      const demo = name.data === 'demo';
      const shares = (flag: string, value: string | undefined, fallback: number): number => {
        const n = number(flag, value, problems) ?? fallback;
        if (n > 1) problems.push(`--${flag}: must be between 0 and 1`);
        return n;
      };
      scenario = {
        name: name.data,
        charges:
          number('charges', values.charges, problems) ??
          (name.data === 'bulk' ? 100_000 : demo ? 300 : 100),
        ratePerSecond: number('rate', values.rate, problems) ?? (demo ? 10 : 20),
        refundShare: shares('refund-share', values['refund-share'], demo ? 0.15 : 0.1),
        disputeShare: shares('dispute-share', values['dispute-share'], demo ? 0.1 : 0.05),
        payoutEvery: Math.floor(
          number('payout-every', values['payout-every'], problems) ?? (demo ? 50 : 0),
        ),
        webhooks: values['with-webhooks'] ?? false,
      };
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    env: parsedEnv,
    port,
    host: values.host ?? parsedEnv.EMULATOR_HOST,
    webhookUrls,
    snapshotFile: values.snapshot ?? parsedEnv.EMULATOR_SNAPSHOT_FILE,
    seed: values.seed,
    adminApi: values.admin ?? parsedEnv.EMULATOR_ADMIN === 'on',
    scenario,
  };
}

export const isHelpRequested = (argv: readonly string[]): boolean => argv.includes('--help');
