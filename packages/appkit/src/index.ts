export type { DelimitedOptions, DelimitedRow } from "./data/csv.js";
export { parseDelimited } from "./data/csv.js";
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
  detectFormat,
  pairMapper,
  RecordView,
  readDataset,
  readPairs,
  readRecords,
} from "./data/read.js";
export type { LoadedSplits, LoadSplitsOptions, SplitName } from "./data/splits.js";
export { findSplitFiles, loadSplitFiles, loadSplits, SPLITS } from "./data/splits.js";
export {
  ConfigFileError,
  DataFormatError,
  DataRecordError,
  DatasetNotFoundError,
  UsageError,
} from "./errors.js";
export type { PredictionRow } from "./run/folder.js";
export { RUN_FILES, RunFolder, slug } from "./run/folder.js";
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
