import { type IncomingMessage } from 'node:http';
import { OmiseApiError } from '../omise-api-error';

/** Vault paths take the public key; every other API path the secret key. */
export type KeyKind = 'secret' | 'public';

export interface ApiKeys {
  secretKey: string;
  publicKey: string;
}

function basicUser(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
}

/**
 * The account whose secret or public key the request carries; the first one when none
 * matches, so that a wrong key is answered 401 exactly as with a single account.
 */
export function selectAccount<A extends ApiKeys>(
  accounts: readonly [A, ...A[]],
  req: IncomingMessage,
): A {
  if (accounts.length === 1) return accounts[0];
  const key = basicUser(req);
  return accounts.find((a) => a.secretKey === key || a.publicKey === key) ?? accounts[0];
}

/** HTTP Basic with the key as user name, as Omise takes it; throws the API's 401 otherwise. */
export function authenticate(req: IncomingMessage, keys: ApiKeys, accepted: KeyKind): void {
  const fail = (message: string): OmiseApiError =>
    new OmiseApiError(401, 'authentication_failure', message);
  const key = basicUser(req);
  if (key === undefined) throw fail('authentication failed');
  const kind: KeyKind | undefined =
    key === keys.secretKey ? 'secret' : key === keys.publicKey ? 'public' : undefined;
  if (kind === undefined) throw fail('authentication failed');
  if (kind !== accepted) {
    throw fail(
      kind === 'public'
        ? 'authentication failed: this endpoint needs your secret key'
        : 'authentication failed: this endpoint needs your public key',
    );
  }
}
