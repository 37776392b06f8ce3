import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './parse-env';
import { DEFAULT_ACCOUNT, loadOmiseAccounts } from './omise-accounts';

const secretA = Buffer.alloc(32, 1).toString('base64');
const secretB = Buffer.alloc(24, 2).toString('base64url');
const FILE = '/etc/omise-sync/accounts.json';

function withFile(content: unknown, extraEnv: NodeJS.ProcessEnv = {}) {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return {
    env: { OMISE_ACCOUNTS_FILE: FILE, ...extraEnv },
    readFile: (path: string) => {
      expect(path).toBe(FILE);
      return text;
    },
  };
}

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the loader to throw');
}

describe('loadOmiseAccounts', () => {
  it('without a file, the single-account variables become the account "default"', () => {
    const accounts = loadOmiseAccounts(
      { OMISE_SECRET_KEY: 'skey_test_1', OMISE_WEBHOOK_SECRETS: `${secretA}, ${secretB}` },
      { secretKey: 'required', webhookSecrets: 'required' },
    );
    expect(accounts).toEqual([
      {
        name: DEFAULT_ACCOUNT,
        secretKey: 'skey_test_1',
        webhookSecrets: [Buffer.alloc(32, 1), Buffer.alloc(24, 2)],
        apiUrl: undefined,
        rateLimitRps: undefined,
      },
    ]);
  });

  it('without a file, a service that needs no key or secret gets the default account without them', () => {
    expect(loadOmiseAccounts({}, { secretKey: 'optional', webhookSecrets: 'optional' })).toEqual([
      {
        name: 'default',
        secretKey: undefined,
        webhookSecrets: [],
        apiUrl: undefined,
        rateLimitRps: undefined,
      },
    ]);
  });

  it('without a file, a missing key or secret the service needs is a problem each', () => {
    expect(
      problemsOf(() =>
        loadOmiseAccounts({}, { secretKey: 'required', webhookSecrets: 'required' }),
      ),
    ).toEqual([
      'OMISE_SECRET_KEY: required (or OMISE_ACCOUNTS_FILE)',
      'OMISE_WEBHOOK_SECRETS: required (at least one base64 secret, or OMISE_ACCOUNTS_FILE)',
    ]);
  });

  it('reads every account of the file, with its own key, secrets, API URL and rate limit', () => {
    const { env, readFile } = withFile([
      { name: 'th', secretKey: 'skey_test_th', webhookSecrets: [secretA] },
      {
        name: 'jp-2',
        secretKey: 'skey_test_jp',
        webhookSecrets: [secretA, secretB],
        apiUrl: 'http://127.0.0.1:4010',
        rateLimitRps: 5,
      },
    ]);
    const accounts = loadOmiseAccounts(env, {
      secretKey: 'required',
      webhookSecrets: 'required',
      readFile,
    });
    expect(accounts.map((a) => a.name)).toEqual(['th', 'jp-2']);
    expect(accounts[1]).toEqual({
      name: 'jp-2',
      secretKey: 'skey_test_jp',
      webhookSecrets: [Buffer.alloc(32, 1), Buffer.alloc(24, 2)],
      apiUrl: 'http://127.0.0.1:4010',
      rateLimitRps: 5,
    });
  });

  it('when the file has several problems, lists every one and shows no secret', () => {
    const leakedKey = 'skey_test_leakme0123456789';
    const shortSecret = Buffer.alloc(8, 7).toString('base64');
    const junkSecret = 'not base64 at all! s3cr3t';
    const { env, readFile } = withFile([
      { name: 'Tokyo!', secretKey: leakedKey, webhookSecrets: [secretA] },
      { name: 'th', secretKey: 'pkey_test_public', webhookSecrets: [shortSecret, junkSecret] },
      { name: 'sg', secretKey: leakedKey, webhookSecrets: [secretA], [leakedKey]: 1 },
      {
        name: 'sg',
        secretKey: 'skey_test_sg2',
        webhookSecrets: [],
        apiUrl: 'ftp://x',
        rateLimitRps: -1,
      },
      { name: 'my', webhookSecrets: 'skey_test_in_wrong_field' },
    ]);
    const problems = problemsOf(() =>
      loadOmiseAccounts(env, { secretKey: 'required', webhookSecrets: 'required', readFile }),
    );
    expect(problems).toEqual([
      'OMISE_ACCOUNTS_FILE: account 1.name: must be 1 to 32 characters a-z, 0-9 or -',
      'OMISE_ACCOUNTS_FILE: account 2 "th".secretKey: must be an Omise secret key (skey_…)',
      'OMISE_ACCOUNTS_FILE: account 3 "sg": unknown field (not shown) (allowed: name, secretKey, webhookSecrets, apiUrl, rateLimitRps)',
      'OMISE_ACCOUNTS_FILE: account 4 "sg".apiUrl: must be an http or https URL',
      expect.stringMatching(/^OMISE_ACCOUNTS_FILE: account 4 "sg".rateLimitRps: /),
      'OMISE_ACCOUNTS_FILE: account 5 "my".webhookSecrets: must be a list of base64 strings',
    ]);
    const text = new ConfigError(problems).message;
    for (const secret of [
      leakedKey,
      shortSecret,
      junkSecret,
      'skey_test_in_wrong_field',
      'pkey_test_public',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('rejects duplicate names, a key shared by two accounts and an account without webhook secrets', () => {
    const { env, readFile } = withFile([
      { name: 'th', secretKey: 'skey_test_same', webhookSecrets: [secretA] },
      { name: 'th', secretKey: 'skey_test_other', webhookSecrets: [secretA] },
      { name: 'jp', secretKey: 'skey_test_same', webhookSecrets: ['@@@', secretB] },
      { name: 'sg', secretKey: 'skey_test_sg', webhookSecrets: [] },
    ]);
    const problems = problemsOf(() =>
      loadOmiseAccounts(env, { secretKey: 'required', webhookSecrets: 'required', readFile }),
    );
    expect(problems).toEqual([
      'OMISE_ACCOUNTS_FILE: account 3 "jp".webhookSecrets: entry 1 is not base64',
      'OMISE_ACCOUNTS_FILE: account name "th" is listed twice',
      'OMISE_ACCOUNTS_FILE: accounts "th" and "jp" have the same secretKey',
      'OMISE_ACCOUNTS_FILE: account "sg".webhookSecrets: needs at least one secret',
    ]);
    expect(problems.join('\n')).not.toContain('skey_test_same');
  });

  it('an account without a key is a problem only for a process that calls the Omise API', () => {
    const { env, readFile } = withFile([{ name: 'th', webhookSecrets: [secretA] }]);
    expect(
      loadOmiseAccounts(env, { secretKey: 'optional', webhookSecrets: 'required', readFile }),
    ).toMatchObject([{ name: 'th', secretKey: undefined }]);
    expect(
      problemsOf(() =>
        loadOmiseAccounts(env, { secretKey: 'required', webhookSecrets: 'optional', readFile }),
      ),
    ).toEqual([
      'OMISE_ACCOUNTS_FILE: account "th".secretKey: required (this process calls the Omise API)',
    ]);
  });

  it('a file that is not JSON is reported without quoting it', () => {
    const { env, readFile } = withFile('[{"name":"th","secretKey":"skey_test_quoted" oops');
    const problems = problemsOf(() =>
      loadOmiseAccounts(env, { secretKey: 'required', webhookSecrets: 'optional', readFile }),
    );
    expect(problems).toEqual(['OMISE_ACCOUNTS_FILE: is not valid JSON']);
  });

  it('an empty list, an unreadable file and single-account variables beside the file are problems', () => {
    expect(
      problemsOf(() => {
        const { env, readFile } = withFile([], { OMISE_SECRET_KEY: 'skey_test_x' });
        return loadOmiseAccounts(env, {
          secretKey: 'required',
          webhookSecrets: 'optional',
          readFile,
        });
      }),
    ).toEqual([
      'OMISE_SECRET_KEY: must not be set with OMISE_ACCOUNTS_FILE (list it in the file)',
      'OMISE_ACCOUNTS_FILE: must be a non-empty JSON list of accounts',
    ]);
    expect(
      problemsOf(() =>
        loadOmiseAccounts(
          { OMISE_ACCOUNTS_FILE: '/nonexistent/accounts.json' },
          { secretKey: 'required', webhookSecrets: 'optional' },
        ),
      ),
    ).toEqual(['OMISE_ACCOUNTS_FILE: cannot read /nonexistent/accounts.json (ENOENT)']);
  });
});
