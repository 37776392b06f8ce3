import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * How personal data (customer email and description, card holder name, recipient name, email
 * and description) is stored: `hash` keeps SHA-256 of a per-deployment salt and the value, so
 * equal values still match across rows but cannot be read; `keep` stores them as Omise returns
 * them; `drop` stores NULL.
 */
export type PiiPolicy = { mode: 'keep' } | { mode: 'drop' } | { mode: 'hash'; salt: string };

/** The least a salt must be: long enough that guessing common emails needs it. */
const MIN_SALT_LENGTH = 16;

/** `PII_MODE` and `PII_SALT`, to extend a service's environment schema with. */
export const piiEnvShape = {
  /** `hash` | `keep` | `drop`: how personal data is stored. @defaultValue hash */
  PII_MODE: z.enum(['hash', 'keep', 'drop']).default('hash'),
  /** Secret salt of `hash` mode (at least 16 characters), from a Secret. No default. */
  PII_SALT: z.string().min(MIN_SALT_LENGTH).optional(),
};

interface PiiVariables {
  PII_MODE: 'hash' | 'keep' | 'drop';
  PII_SALT?: string | undefined;
}

/**
 * Hash mode (the default) without a salt fails at start: an unsalted hash of an email is
 * reversed by hashing every likely email. Use as `.refine(hasPiiSalt, PII_SALT_REQUIRED)`.
 */
export function hasPiiSalt(env: PiiVariables): boolean {
  return env.PII_MODE !== 'hash' || env.PII_SALT !== undefined;
}

/** The refinement's issue; checked even when other variables are wrong, so all are listed. */
export const PII_SALT_REQUIRED = {
  path: ['PII_SALT'],
  message:
    'required when PII_MODE is hash (the default): set a secret of at least 16 characters, or PII_MODE=keep|drop',
  when: (payload: z.core.ParsePayload) =>
    payload.issues.every((issue) => !['PII_MODE', 'PII_SALT'].includes(String(issue.path?.[0]))),
};

/** The policy of checked variables (see {@link hasPiiSalt}). */
export function toPiiPolicy(env: PiiVariables): PiiPolicy {
  return env.PII_MODE === 'hash'
    ? { mode: 'hash', salt: env.PII_SALT ?? '' }
    : { mode: env.PII_MODE };
}

/** `PII_MODE` and `PII_SALT` alone, parsed into a policy. */
export const PiiEnv = z
  .object(piiEnvShape)
  .refine(hasPiiSalt, PII_SALT_REQUIRED)
  .transform(toPiiPolicy);

/** A personal value as the policy stores it; `null` and empty values stay `null`. */
export function protectPii(value: string | null | undefined, policy: PiiPolicy): string | null {
  if (value === null || value === undefined || value === '') return null;
  switch (policy.mode) {
    case 'keep':
      return value;
    case 'drop':
      return null;
    case 'hash':
      return createHash('sha256').update(policy.salt).update('\0').update(value).digest('hex');
  }
}
