export { useTestDatabase, createTestDatabase, type TestDatabase } from './use-test-database';
export { useTestRedis, type TestRedis } from './use-test-redis';
export { randomId } from './test-names';
export { MISSING_SERVICES_MESSAGE, resolveTestServices } from './test-services';
export { comparableRow } from './comparable-row';
