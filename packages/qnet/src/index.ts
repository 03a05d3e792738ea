export * as tf from "@tensorflow/tfjs-core";
export type {
  BackendAttempt,
  BackendName,
  BackendReport,
  DoctorReport,
  EngineUse,
  SelectBackendOptions,
} from "./backend.js";
export { doctor, registerWasmKernels, selectBackend } from "./backend.js";
export type {
  CheckpointContents,
  LoadCheckpointOptions,
  LoadedCheckpoint,
  RecoveredFolder,
} from "./checkpoint.js";
export {
  loadCheckpoint,
  recoverFolder,
  replaceFolderAtomic,
  saveCheckpoint,
  tempSibling,
} from "./checkpoint.js";
export type { GPT2Config, HFGPT2Json, ResolvedGPT2Config } from "./config.js";
export { configFromHF, configToHF, resolveConfig } from "./config.js";
export {
  QnetBackendError,
  QnetCheckpointError,
  QnetConfigError,
  QnetInputError,
  QnetMissingDependencyError,
  QnetStateError,
} from "./errors.js";
export type { HFFolder, PretrainedOptions } from "./hf.js";
export { huggingFaceCacheDir, readHFFolder, resolvePretrained, writeHFFolder } from "./hf.js";
export type { OnnxAttr, OnnxConstant, OnnxElemType, OnnxNode, OnnxValue } from "./onnx.js";
export { encodeOnnxModel, OnnxGraph, OnnxType } from "./onnx.js";
export type { Gpt2OnnxModels } from "./ort-graph.js";
export { buildGpt2OnnxModels, gradName } from "./ort-graph.js";
export type {
  DlogitsFn,
  OrtAdamState,
  OrtGradients,
  OrtLearnerOptions,
  OrtModuleLike,
  OrtSessionLike,
  OrtTensorLike,
  TokenBatch,
} from "./ort-learner.js";
export { loadOnnxRuntime, OrtLearner } from "./ort-learner.js";
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
