export type {
  BackendAttempt,
  BackendName,
  BackendReport,
  DoctorReport,
  SelectBackendOptions,
} from "./backend.js";
export { doctor, registerWasmKernels, selectBackend } from "./backend.js";
export type { GPT2Config, HFGPT2Json, ResolvedGPT2Config } from "./config.js";
export { configFromHF, configToHF, resolveConfig } from "./config.js";
export {
  QnetBackendError,
  QnetCheckpointError,
  QnetConfigError,
  QnetInputError,
  QnetStateError,
} from "./errors.js";
export type { Decoder, RandomInitOptions, TrainStepOptions } from "./qnetwork.js";
export { parameterSpecs, QNetwork } from "./qnetwork.js";
