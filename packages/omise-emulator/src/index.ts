export { startEmulator, type Emulator, type EmulatorAccount } from './emulator';
export { type ScenarioRun } from './scenario-runs';
export { type EmulatorActions } from './emulator-actions';
export { type ResourceKind } from './state/emulator-store';
export {
  DEFAULT_DELIVERY,
  DEFAULT_PUBLIC_KEY,
  DEFAULT_SECRET_KEY,
  NO_FAULTS,
  type DeliveryOptions,
  type EmulatorAccountOptions,
  type EmulatorOptions,
  PRIMARY_ACCOUNT,
  type Faults,
  type WebhookEndpoint,
} from './emulator-options';
export { OmiseApiError, type OmiseErrorBody } from './omise-api-error';
export {
  runScenario,
  seedCharges,
  type ScenarioOptions,
  type ScenarioSummary,
  type SeedOptions,
} from './scenario';
export { type DeliveryStats } from './webhook-dispatcher';
export {
  FAILING_TEST_CARDS,
  FAILURE_MESSAGES,
  SUCCESSFUL_TEST_CARDS,
  type ChargeFailureCode,
} from './test-cards';
export { FaultsPatch, ScenarioRequest, WebhooksInput } from './admin-params';
export { runEmulatorCli, type EmulatorCliRun } from './emulator-cli';
export {
  CLI_USAGE,
  DEFAULT_WEBHOOK_SECRET,
  EmulatorEnv,
  loadEmulatorConfig,
  type EmulatorCliConfig,
} from './emulator-config';
