import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, envFields, parseEnv } from './parse-env';

const Schema = z.object({
  PORT: envFields.port(8080),
  REDIS_URL: envFields.url(['redis:', 'rediss:']),
  VERBOSE: envFields.boolean(false),
});

describe('parseEnv', () => {
  it('applies defaults and treats empty strings as unset', () => {
    expect(parseEnv(Schema, { REDIS_URL: 'redis://localhost:6379', PORT: '' })).toEqual({
      PORT: 8080,
      REDIS_URL: 'redis://localhost:6379',
      VERBOSE: false,
    });
  });

  it('when several variables are wrong, lists every problem at once', () => {
    let thrown: unknown;
    try {
      parseEnv(Schema, { PORT: 'eighty', REDIS_URL: 'http://x', VERBOSE: 'maybe' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/REDIS_URL: protocol must be one of/);
    expect(problems.join('\n')).toMatch(/VERBOSE: must be true or false/);
  });
});
