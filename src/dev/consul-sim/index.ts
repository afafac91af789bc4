/** The Consul simulator: the Consul HTTP API subset the project uses, in-process, for tests and `fargatectl dev`. */

export { type Clock, ManualClock, systemClock } from "../../clock.js";
export {
  type ConsulSimulator,
  type ConsulSimulatorControl,
  type ConsulSimulatorOptions,
  type ConsulSimulatorTls,
  OutageMode,
  type QuickService,
  startConsulSimulator,
} from "./server.js";
export type { CheckStatus } from "./wire.js";
