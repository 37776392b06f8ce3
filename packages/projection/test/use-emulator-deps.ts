import { systemClock } from '@omise-sync/core';
import { createOmiseClient } from '@omise-sync/omise-client';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import type { FollowUpDeps } from '../src/resource-module';
import { DEFAULT_DISPUTE_SEVERITY_RULES } from '../src/resources/dispute-severity';

/** What {@link useEmulatorDeps} gives a test file; read it inside a test or hook. */
export interface EmulatorDeps {
  readonly emulator: Emulator;
  readonly deps: FollowUpDeps;
}

/**
 * An emulator for the test file (started before its tests, closed after them) and the
 * follow-up deps a projection needs, with an Omise client on that emulator.
 */
export function useEmulatorDeps(seed: string): EmulatorDeps {
  let state: EmulatorDeps | undefined;
  beforeAll(async () => {
    const emulator = await startEmulator({ seed });
    state = {
      emulator,
      deps: {
        account: 'default',
        omise: createOmiseClient({ secretKey: emulator.secretKey, baseUrl: emulator.url }),
        clock: systemClock,
        severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
        responseDays: 7,
      },
    };
  });
  afterAll(async () => {
    await state?.emulator.close();
    state = undefined;
  });
  const current = () => {
    if (state === undefined) throw new Error('useEmulatorDeps(): read it inside a test or hook');
    return state;
  };
  return {
    get emulator() {
      return current().emulator;
    },
    get deps() {
      return current().deps;
    },
  };
}
