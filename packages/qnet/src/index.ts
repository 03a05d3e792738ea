export * as tf from "@tensorflow/tfjs-core";
export type {
  BackendAttempt,
  BackendName,
  BackendReport,
  DoctorReport,
  SelectBackendOptions,
} from "./backend.js";
export { doctor, registerWasmKernels, selectBackend } from "./backend.js";
export type { CheckpointContents, LoadCheckpointOptions, LoadedCheckpoint } from "./checkpoint.js";
export { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
export type { GPT2Config, HFGPT2Json, ResolvedGPT2Config } from "./config.js";
export { configFromHF, configToHF, resolveConfig } from "./config.js";
export {
  QnetBackendError,
  QnetCheckpointError,
  QnetConfigError,
  QnetInputError,
  QnetStateError,
} from "./errors.js";
export type { HFFolder, PretrainedOptions } from "./hf.js";
export { readHFFolder, resolvePretrained, writeHFFolder } from "./hf.js";
export type { Decoder, RandomInitOptions, TrainStepOptions } from "./qnetwork.js";
export { hfName, parameterSpecs, QNetwork } from "./qnetwork.js";
export {
  argmaxQ,
  gatherQ,
  maskedArgmaxQ,
  maskedMaxQ,
  maxQ,
  softmaxCrossEntropy,
  topKMask,
} from "./qvalues.js";
export type { NamedArray, SafetensorsFile } from "./safetensors.js";
export { readSafetensors, writeSafetensors } from "./safetensors.js";
export type { CreateTargetOptions, SyncTargetOptions } from "./target.js";
export { createTarget, syncTarget } from "./target.js";
