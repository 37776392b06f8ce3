import { type IncomingMessage } from 'node:http';
import { OmiseApiError } from '../omise-api-error';

/** Vault paths take the public key; every other API path the secret key. */
export type KeyKind = 'secret' | 'public';

export interface ApiKeys {
  secretKey: string;
  publicKey: string;
}

/** HTTP Basic with the key as user name, as Omise takes it; throws the API's 401 otherwise. */
export function authenticate(req: IncomingMessage, keys: ApiKeys, accepted: KeyKind): void {
  const header = req.headers.authorization;
  const fail = (message: string): OmiseApiError =>
    new OmiseApiError(401, 'authentication_failure', message);
  if (header === undefined || !/^basic /i.test(header)) {
    throw fail('authentication failed');
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
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
