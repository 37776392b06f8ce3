// Run by logger.test.ts in a child process: logs through the default stdout destination, then
// ends the way argv[2] says, in the same turn of the event loop.
import { createLogger } from '../src/logger';

const logger = createLogger({ name: 'exit-fixture' });
for (let line = 1; line <= 3; line += 1) logger.info({ line }, 'logged before the end');

const ending = process.argv[2];
if (ending === 'exit') process.exit(3);
if (ending === 'throw') throw new Error('uncaught on purpose');
// Otherwise it ends on its own once the loop is empty.
