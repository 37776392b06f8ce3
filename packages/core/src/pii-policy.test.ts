import { parseEnv } from './parse-env';
import { PiiEnv, protectPii } from './pii-policy';

const SALT = 'a-salt-of-sixteen-chars';

describe('PII_MODE and PII_SALT', () => {
  it('when PII_MODE is unset, hashing is the mode and it needs a salt', () => {
    expect(() => parseEnv(PiiEnv, {})).toThrow(/PII_SALT: required when PII_MODE is hash/);
    expect(parseEnv(PiiEnv, { PII_SALT: SALT })).toEqual({ mode: 'hash', salt: SALT });
  });

  it('when the salt is short, it is refused', () => {
    expect(() => parseEnv(PiiEnv, { PII_SALT: 'short' })).toThrow(/PII_SALT/);
  });

  it('keep and drop need no salt', () => {
    expect(parseEnv(PiiEnv, { PII_MODE: 'keep' })).toEqual({ mode: 'keep' });
    expect(parseEnv(PiiEnv, { PII_MODE: 'drop' })).toEqual({ mode: 'drop' });
  });
});

describe('protectPii', () => {
  it('hash mode stores SHA-256 hex that depends on the salt, never the value', () => {
    const hashed = protectPii('ann@example.com', { mode: 'hash', salt: SALT });
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(hashed).toBe(protectPii('ann@example.com', { mode: 'hash', salt: SALT }));
    expect(hashed).not.toBe(protectPii('ann@example.com', { mode: 'hash', salt: `${SALT}x` }));
  });

  it('keep stores the value, drop stores null, and an empty value is null in every mode', () => {
    expect(protectPii('Ann', { mode: 'keep' })).toBe('Ann');
    expect(protectPii('Ann', { mode: 'drop' })).toBeNull();
    expect(protectPii('', { mode: 'hash', salt: SALT })).toBeNull();
    expect(protectPii(null, { mode: 'keep' })).toBeNull();
  });
});
