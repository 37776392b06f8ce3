import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './parse-env';

/** The account the single-account variables (and `POST /webhooks/omise`) stand for. */
export const DEFAULT_ACCOUNT = 'default';

/**
 * An account's name: it becomes a URL segment, a queue name, a metric label and a column
 * value, so only lower-case letters, digits and dashes.
 */
export const AccountName = z.string().regex(/^[a-z0-9-]{1,32}$/, {
  error: 'must be 1 to 32 characters a-z, 0-9 or -',
});
export type AccountName = z.infer<typeof AccountName>;

// Standard or URL-safe base64, with optional padding; Buffer.from would silently skip junk.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
/** A shorter key is almost certainly a truncated copy-paste, not a real webhook secret. */
const MIN_WEBHOOK_SECRET_BYTES = 16;
const SECRET_KEY = /^skey_\w+$/;

/**
 * One Omise account omise-sync serves. `secretKey` is undefined only for a service that does
 * not need one (the receiver in signature mode), when its configuration leaves it out.
 */
export interface OmiseAccount<K extends Requirement = 'required'> {
  name: AccountName;
  /** The account's secret key (`skey_…`); never logged. */
  secretKey: K extends 'required' ? string : string | undefined;
  /** Decoded webhook secrets; several during a rotation. Empty when the service needs none. */
  webhookSecrets: readonly Buffer[];
  /** Base URL of this account's Omise API; undefined means the service's OMISE_API_URL. */
  apiUrl: string | undefined;
  /** Most Omise requests per second for this account; undefined means the service's own limit. */
  rateLimitRps: number | undefined;
}

type Requirement = 'required' | 'optional';

export interface LoadOmiseAccountsOptions<K extends Requirement> {
  /** Whether every account needs a secret key (any service that calls the Omise API). */
  secretKey: K;
  /** Whether every account needs at least one webhook secret (the receiver in signature mode). */
  webhookSecrets: Requirement;
  /** Reads OMISE_ACCOUNTS_FILE. Default: `fs.readFileSync(path, 'utf8')`. */
  readFile?: (path: string) => string;
}

/**
 * Decodes base64 webhook secrets, adding a problem per bad entry that names its position,
 * never its value: secrets must not reach logs.
 */
function decodeWebhookSecrets(
  entries: readonly string[],
  where: string,
  problems: string[],
): Buffer[] {
  const keys: Buffer[] = [];
  entries.forEach((entry, index) => {
    if (!BASE64.test(entry)) {
      problems.push(`${where}: entry ${index + 1} is not base64`);
      return;
    }
    const key = Buffer.from(entry, 'base64');
    if (key.length < MIN_WEBHOOK_SECRET_BYTES) {
      problems.push(
        `${where}: entry ${index + 1} decodes to ${key.length} bytes, expected at least ${MIN_WEBHOOK_SECRET_BYTES}`,
      );
      return;
    }
    keys.push(key);
  });
  return keys;
}

/**
 * One entry of OMISE_ACCOUNTS_FILE. Every message is written here so none can quote a value:
 * zod's defaults never echo input, but an unknown key is echoed and could be a pasted secret.
 */
const AccountEntry = z.strictObject(
  {
    name: AccountName,
    // Optional in the file: the receiver's copy may leave the keys out (signature mode never
    // calls Omise); a service that needs them reports the missing ones.
    secretKey: z
      .string({ error: 'must be a string' })
      .regex(SECRET_KEY, { error: 'must be an Omise secret key (skey_…)' })
      .optional(),
    webhookSecrets: z.array(z.string({ error: 'must be a string' }), {
      error: 'must be a list of base64 strings',
    }),
    apiUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
    rateLimitRps: z.number({ error: 'must be a number' }).positive().optional(),
  },
  {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownFields(issue.keys) : undefined),
  },
);

function unknownFields(keys: readonly string[]): string {
  // A key that does not look like a field name is not shown (it may be a misplaced secret).
  const shown = keys.map((key) => (/^[A-Za-z]{1,32}$/.test(key) ? `"${key}"` : '(not shown)'));
  return `unknown field ${shown.join(', ')} (allowed: name, secretKey, webhookSecrets, apiUrl, rateLimitRps)`;
}

function describeEntry(index: number, entry: unknown): string {
  const name = (entry as { name?: unknown } | null)?.name;
  const label = typeof name === 'string' && AccountName.safeParse(name).success ? ` "${name}"` : '';
  return `OMISE_ACCOUNTS_FILE: account ${index + 1}${label}`;
}

function parseAccountsFile(text: string, problems: string[]): OmiseAccount<'optional'>[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error, which may be a secret.
    problems.push('OMISE_ACCOUNTS_FILE: is not valid JSON');
    return [];
  }
  if (!Array.isArray(document) || document.length === 0) {
    problems.push('OMISE_ACCOUNTS_FILE: must be a non-empty JSON list of accounts');
    return [];
  }
  const accounts: OmiseAccount<'optional'>[] = [];
  document.forEach((entry: unknown, index) => {
    const where = describeEntry(index, entry);
    const result = AccountEntry.safeParse(entry);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issue.path.join('.');
        problems.push(`${where}${field === '' ? '' : `.${field}`}: ${issue.message}`);
      }
      return;
    }
    accounts.push({
      name: result.data.name,
      secretKey: result.data.secretKey,
      webhookSecrets: decodeWebhookSecrets(
        result.data.webhookSecrets,
        `${where}.webhookSecrets`,
        problems,
      ),
      apiUrl: result.data.apiUrl,
      rateLimitRps: result.data.rateLimitRps,
    });
  });
  return accounts;
}

function accountFromVariables(
  env: NodeJS.ProcessEnv,
  problems: string[],
): OmiseAccount<'optional'> {
  const secretKey = env.OMISE_SECRET_KEY === '' ? undefined : env.OMISE_SECRET_KEY;
  if (secretKey !== undefined && !SECRET_KEY.test(secretKey)) {
    problems.push('OMISE_SECRET_KEY: must be an Omise secret key (skey_…)');
  }
  const entries = (env.OMISE_WEBHOOK_SECRETS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return {
    name: DEFAULT_ACCOUNT,
    secretKey,
    webhookSecrets: decodeWebhookSecrets(entries, 'OMISE_WEBHOOK_SECRETS', problems),
    apiUrl: undefined,
    rateLimitRps: undefined,
  };
}

/**
 * The Omise accounts a process serves: the JSON list in OMISE_ACCOUNTS_FILE (a mounted
 * Secret), or else the single-account variables OMISE_SECRET_KEY and OMISE_WEBHOOK_SECRETS as
 * the account `default`. The one loader the receiver, the worker and the CLI call.
 * @throws ConfigError listing every problem at once; no message contains a secret.
 */
export function loadOmiseAccounts<K extends Requirement>(
  env: NodeJS.ProcessEnv,
  options: LoadOmiseAccountsOptions<K>,
): OmiseAccount<K>[] {
  const problems: string[] = [];
  const file = env.OMISE_ACCOUNTS_FILE === '' ? undefined : env.OMISE_ACCOUNTS_FILE;
  let accounts: OmiseAccount<'optional'>[];
  if (file === undefined) {
    const account = accountFromVariables(env, problems);
    if (options.secretKey === 'required' && account.secretKey === undefined) {
      problems.push('OMISE_SECRET_KEY: required (or OMISE_ACCOUNTS_FILE)');
    }
    if (options.webhookSecrets === 'required' && account.webhookSecrets.length === 0) {
      problems.push(
        'OMISE_WEBHOOK_SECRETS: required (at least one base64 secret, or OMISE_ACCOUNTS_FILE)',
      );
    }
    accounts = [account];
  } else {
    for (const name of ['OMISE_SECRET_KEY', 'OMISE_WEBHOOK_SECRETS']) {
      const value = env[name];
      if (value !== undefined && value !== '') {
        problems.push(`${name}: must not be set with OMISE_ACCOUNTS_FILE (list it in the file)`);
      }
    }
    let text: string | undefined;
    try {
      text = (options.readFile ?? ((path) => readFileSync(path, 'utf8')))(file);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      problems.push(
        `OMISE_ACCOUNTS_FILE: cannot read ${file}${typeof code === 'string' ? ` (${code})` : ''}`,
      );
    }
    accounts = text === undefined ? [] : parseAccountsFile(text, problems);
    checkAccountList(accounts, options, problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  // Every account has a secret key here when K is 'required' (checked above).
  return accounts as OmiseAccount<K>[];
}

function checkAccountList(
  accounts: readonly OmiseAccount<'optional'>[],
  options: LoadOmiseAccountsOptions<Requirement>,
  problems: string[],
): void {
  const names = new Set<string>();
  const keys = new Map<string, string>();
  for (const account of accounts) {
    if (names.has(account.name)) {
      problems.push(`OMISE_ACCOUNTS_FILE: account name "${account.name}" is listed twice`);
    }
    names.add(account.name);
    if (account.secretKey !== undefined) {
      const other = keys.get(account.secretKey);
      if (other !== undefined) {
        problems.push(
          `OMISE_ACCOUNTS_FILE: accounts "${other}" and "${account.name}" have the same secretKey`,
        );
      }
      keys.set(account.secretKey, account.name);
    }
    if (options.secretKey === 'required' && account.secretKey === undefined) {
      problems.push(
        `OMISE_ACCOUNTS_FILE: account "${account.name}".secretKey: required (this process calls the Omise API)`,
      );
    }
    if (options.webhookSecrets === 'required' && account.webhookSecrets.length === 0) {
      problems.push(
        `OMISE_ACCOUNTS_FILE: account "${account.name}".webhookSecrets: needs at least one secret`,
      );
    }
  }
}
