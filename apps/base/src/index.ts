export type { Corpus, TaskName } from "./corpus.js";
export { readCorpus, TASKS, taskDocuments } from "./corpus.js";
export { BaseInputError } from "./errors.js";
export type { ExportOptions } from "./export.js";
export { exportBase, fromHalfBits, toHalfBits, writeSafetensorsF16 } from "./export.js";
export type {
  PretrainConfig,
  PretrainCorpus,
  PretrainOptions,
  PretrainRecord,
  PretrainResult,
} from "./pretrain.js";
export { learningRateAt, PRETRAIN_DEFAULTS, pretrain, tokenStream, validationLoss } from "./pretrain.js";
