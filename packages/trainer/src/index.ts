export type { ActionSelector, Decoder, DecodingModel, RolloutOptions, RolloutResult } from "./actor.js";
export { rollout } from "./actor.js";
export type { BeamHypothesis, BeamSearchOptions, SequenceScoreOptions } from "./beam.js";
export { beamSearch, sequenceLogProbs } from "./beam.js";
export type {
  ConfigTableRow,
  Engine,
  Objective,
  PresetName,
  RewardForm,
  TrainerConfig,
  TrainerConfigInput,
  TruncationSide,
} from "./config.js";
export { configTable, DEFAULT_PRESET, PRESETS, resolveConfig } from "./config.js";
export { OutputTrie, selectWithin } from "./constraint.js";
export { CURVES, renderLineChart, writeCurves } from "./curves.js";
export type { FiniteTokenMdp, QTable, SoftSolution, SoftTokenMdp } from "./dp.js";
export { evaluateSoftPolicy, solveSoftTokenMdp, solveTokenMdp } from "./dp.js";
export type { DqnHooks, DqnLoopState, DqnModels, Split, TokenTask } from "./dqn.js";
export { DqnLoop, evaluateSplit, greedyDecode, initTarget, repetitionOf } from "./dqn.js";
export {
  CheckpointError,
  TrainerConfigError,
  TrainerInputError,
  TrainerMissingDependencyError,
  TrainingDivergedError,
} from "./errors.js";
export type { LearnerOptions, OrtStepEngine, QModel, SampledTransition, UpdateStats } from "./learner.js";
export { learnerStep, learnerStepOrt } from "./learner.js";
export type { LogRecord } from "./metrics.js";
export { MetricsLogger, readMetrics } from "./metrics.js";
export type { MlePair, MleResult } from "./mle.js";
export { evalCrossEntropy, mleWarmStart, mleWarmStartOrt } from "./mle.js";
export type { AdamState, Optimizer } from "./optim.js";
export { Adam, globalNorm } from "./optim.js";
export { OrtDqnEngine } from "./ort-engine.js";
export { argmax, epsilonAt, epsilonGreedy, maskIndices, sampleMasked } from "./policy.js";
export type { Progress, ProgressStream } from "./progress.js";
export { createProgress, logAboveProgress, progressEnabled } from "./progress.js";
export type { DataSplits, Example, TextTask } from "./text-task.js";
export { buildTextTask, encodePrompt, encodeTarget, exampleConstraints } from "./text-task.js";
export type {
  EvaluateInput,
  GenerateInput,
  ModelInit,
  NBestInput,
  NBestOutput,
  ResumeInput,
  SplitReport,
  TrainCallbacks,
  TrainInput,
  TrainResult,
} from "./train.js";
export { evaluate, generate, generateNBest, resume, train } from "./train.js";
