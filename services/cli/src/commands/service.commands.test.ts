import { UsageError } from '../cli-env';
import { emulatorCommand } from './service.commands';

// Issue 23 item 8: the production image (NODE_ENV=production) never starts the emulator.
describe('omise-sync emulator', () => {
  it('when NODE_ENV is production, refuses to start and says why', async () => {
    await expect(emulatorCommand(['--port', '0'], { NODE_ENV: 'production' })).rejects.toThrow(
      UsageError,
    );
  });
});
