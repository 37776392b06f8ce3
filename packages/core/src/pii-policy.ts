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

/**
 * `PII_MODE` and `PII_SALT` as the worker and the CLI read them, merged into a policy. Hash
 * mode (the default) without a salt fails at start: hashing without one is reversible by
 * hashing every likely email.
 */
export const PiiEnv = z
  .object({
    /** `hash` | `keep` | `drop`. @defaultValue hash */
    PII_MODE: z.enum(['hash', 'keep', 'drop']).default('hash'),
    /** Secret salt of `hash` mode (at least 16 characters), from a Secret. No default. */
    PII_SALT: z.string().min(MIN_SALT_LENGTH).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.PII_MODE === 'hash' && env.PII_SALT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['PII_SALT'],
        message:
          'required when PII_MODE is hash (the default): set a secret of at least 16 characters, or PII_MODE=keep|drop',
      });
    }
  })
  .transform((env): PiiPolicy =>
    env.PII_MODE === 'hash' ? { mode: 'hash', salt: env.PII_SALT ?? '' } : { mode: env.PII_MODE },
  );

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
