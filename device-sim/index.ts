/** Library API of the device simulator, for the demo runner, end-to-end tests and benchmarks. */
export type { SimDevice } from './types.ts';
export { SimError } from './types.ts';
export { ApiClient, ApiError } from './api-client.ts';
export { provisionCentre, type ProvisionOptions, type ProvisionResult } from './provision.ts';
export { planCentre, DEFAULT_SIM_PREFIX, DEMO_SIM_PREFIX, type CentrePlan } from './demo-data.ts';
export { runSimulation, deviceMqttUrl, type SimulationOptions, type SimulationResult } from './run.ts';
export { runTraffic, type TrafficHandle, type TrafficOptions, type TrafficStats } from './traffic.ts';
export { TrafficPlanner, makeEvent, type OutgoingEvent, type PlannedEvent } from './traffic-plan.ts';
export { RateLimiter } from './rate-limiter.ts';
export { LatencySampler } from './latency.ts';
export {
  attachWearable,
  WearableBehaviour,
  DEFAULT_WEARABLE_TIMING,
  type WearableOptions,
  type WearableTiming,
} from './wearable.ts';
export { parseCliArgs, formatSummary, type CliOptions } from './cli.ts';
