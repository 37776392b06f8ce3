export { useTestDatabase, createTestDatabase, type TestDatabase } from './use-test-database';
export { useTestRedis, type TestRedis } from './use-test-redis';
export { randomId } from './test-names';
export { withTestMigrationLock } from './template';
export { MISSING_SERVICES_MESSAGE, resolveTestServices } from './test-services';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { comparableRow } from './comparable-row';
export { disputeRow, documentRow, eventRow } from './rows';
export {
  chargeObject,
  disputeObject,
  documentObject,
  errorObject,
  eventObject,
  listObject,
  refundObject,
} from './omise-objects';
export {
  FIXTURES_ROOT,
  fixtureBodies,
  fixtureFiles,
  fixtureObjects,
  fixturePath,
  readFixture,
  recordedBodies,
} from './recorded-fixtures';
export { createCardCharge, createCardToken } from './card-charge';
export {
  freeTcpPort,
  startRedisCluster,
  startSentinelSet,
  type RedisClusterProcesses,
  type SentinelSet,
} from './redis-servers';
