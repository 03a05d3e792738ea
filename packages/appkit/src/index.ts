export type { BaselineRun, GridChoice, GridPoint } from "./baseline.js";
export {
  chooseOnValidation,
  copySourceBaseline,
  leadBaseline,
  leadWords,
  runBaseline,
} from "./baseline.js";
export { generationCli } from "./cli/generation.js";
export type { OptionKind, OptionSpec, ParsedOptions } from "./cli/options.js";
export { deepMerge, formatOptionsHelp, nearestName, parseOptions, parseSet } from "./cli/options.js";
export type { CliCommand, CliIo, TaskCliSpec } from "./cli/run.js";
export { EXIT_CODES, exitCodeFor, generationOptionSpecs, runTaskCli, withDefaults } from "./cli/run.js";
export {
  COMMON_OPTIONS,
  COMPARE_OPTIONS,
  DATA_OPTIONS,
  DECODING_OPTIONS,
  EXPERIMENT_OPTIONS,
  MODEL_OPTIONS,
  MODEL_USE_OPTIONS,
  TRAIN_OPTIONS,
} from "./cli/specs.js";
export type {
  ComparedSeed,
  ComparedSystem,
  CompareOptions,
  CompareResult,
  SystemSpec,
} from "./compare.js";
export {
  compareOptionsFrom,
  compareSystems,
  formatP,
  parseSystemSpec,
  predictionsFile,
  readPredictions,
  renderComparison,
  runCompare,
  runMetricTest,
} from "./compare.js";
export type { DelimitedOptions, DelimitedRow } from "./data/csv.js";
export { parseDelimited } from "./data/csv.js";
export type { DemoSizes, DemoSplitOptions } from "./data/demo.js";
export { buildDemoSplits, pick } from "./data/demo.js";
export type { HubDataset, HubDatasetOptions } from "./data/hub.js";
export { downloadHubDataset, groupParquetBySplit, isHubDatasetId } from "./data/hub.js";
export type {
  DataFormat,
  PairFields,
  ReadOptions,
  ReadReport,
  SkippedRecord,
  SourceRecord,
  TextPair,
} from "./data/read.js";
export {
  DATA_EXTENSIONS,
  decodeUtf8,
  detectFormat,
  pairMapper,
  RecordView,
  readDataset,
  readPairs,
  readRecords,
} from "./data/read.js";
export type { DataSourceOptions, LoadedSplits, LoadSplitsOptions, SplitName } from "./data/splits.js";
export {
  dataSourceFrom,
  dataSourceOptions,
  findSplitFiles,
  loadSplitFiles,
  loadSplits,
  SPLITS,
} from "./data/splits.js";
export type { DecodeInput, DecodingOptions } from "./decoding.js";
export { decode, decodingLabel, decodingOptions } from "./decoding.js";
export {
  ConfigFileError,
  DataFormatError,
  DataRecordError,
  DatasetNotFoundError,
  EmptySplitError,
  OutputPathError,
  SelectorOptionError,
  UsageError,
} from "./errors.js";
export type { ModelInit, RandomModelConfig, ResolvedInit, ResolveInitOptions } from "./init.js";
export { bestCheckpointOf, findRunFolder, resolveInit, shippedBaseDir } from "./init.js";
export type { SystemRun, TrainGenerationResult } from "./pipeline.js";
export {
  diagnosticNotes,
  evaluateGeneration,
  generateText,
  loadRunModel,
  resumeGeneration,
  runExperiment,
  systemsTable,
  trainerConfigFor,
  trainGeneration,
} from "./pipeline.js";
export type { PredictionRow } from "./run/folder.js";
export { checkOutputFolder, outputError, RUN_FILES, RunFolder, slug } from "./run/folder.js";
export type {
  AggregateRow,
  MetricColumn,
  ReportExample,
  ReportInput,
  SystemResult,
} from "./run/report.js";
export { formatDuration, renderAggregateTable, renderReport } from "./run/report.js";
export type { MeanStd } from "./run/stats.js";
export { formatMeanStd, meanStd } from "./run/stats.js";
export type {
  SelectionEpisode,
  SelectionState,
  SelectorInput,
  SelectorLog,
  SelectorOptions,
} from "./selection/selector.js";
export { argmax, Selector, trainSelector } from "./selection/selector.js";
export type { Sentence, Word } from "./selection/text.js";
export {
  contentWords,
  Idf,
  isPunct,
  isStop,
  normalizeWord,
  STOPWORDS,
  sentences,
  words,
} from "./selection/text.js";
export type {
  BaselineInput,
  BaselineResult,
  GenerationTask,
  MetricScore,
  MetricTest,
  OptionValues,
  TaskBaseline,
  TaskReward,
  TaskSignificance,
} from "./task.js";
export type { TaskData } from "./task-data.js";
export { loadTaskData, resolveFields } from "./task-data.js";
export { smokeArgs } from "./testing/smoke.js";
