// --- BLEU, chrF, incremental scorers, tokenizers, errors ---
export type { BleuOptions, BleuScore, BleuSmoothMethod } from "./bleu.js";
export { corpusBleu, sentenceBleu } from "./bleu.js";
export type { ChrfOptions, ChrfScore } from "./chrf.js";
export { corpusChrf, sentenceChrf } from "./chrf.js";
export { RewardsDataError, RewardsError, RewardsInputError, RewardsOptionError } from "./errors.js";
export { bleuIncremental, chrfIncremental } from "./incremental.js";
export type { BleuTokenizerName } from "./tokenizers/index.js";
export { BLEU_TOKENIZERS, bleuTokenize } from "./tokenizers/index.js";

// --- end BLEU, chrF ---

// --- TER, ROUGE, SQuAD, rewards ---
export { distinctN, repetitionRate } from "./dialogue.js";
export type { PorterMode } from "./porter.js";
export { PorterStemmer } from "./porter.js";
export type { IncrementalScorer, Reward, RougeRewardOptions } from "./reward.js";
export {
  bleuReward,
  chrfReward,
  clip,
  rougeReward,
  scale,
  squadEmReward,
  squadF1Reward,
  terReward,
  weightedSum,
} from "./reward.js";
export type { DefaultRougeType, RougeOptions, RougeScore, RougeType } from "./rouge.js";
export { isRougeType, ROUGE_SCORE_VERSION, rouge, rougeSignature, rougeTokenize } from "./rouge.js";
export type {
  RougeLIncrementalOptions,
  RougeMeasure,
  RougeNIncrementalOptions,
} from "./rouge-incremental.js";
export { rougeLIncremental, rougeNIncremental } from "./rouge-incremental.js";
export type { SquadResult } from "./squad.js";
export { normalizeAnswer, SQUAD_SIGNATURE, squad, squadCorpus } from "./squad.js";
export type { StepRewardForm } from "./steps.js";
export { prefixScores, stepRewards } from "./steps.js";
export type { TerOptions, TerResult } from "./ter.js";
export { corpusTer, sentenceTer } from "./ter.js";
// --- end TER, ROUGE, SQuAD, rewards ---

// --- reward plug-ins (loader) ---
export type { JsonValue, LoadedReward, LoadRewardOptions, RewardFactory, RewardRecord } from "./plugin.js";
export { describeReward, isReward, loadReward, parseRewardSpec, RewardPluginError } from "./plugin.js";
// --- end reward plug-ins ---

// --- significance tests (sacreBLEU paired bootstrap / approximate randomization) ---
export type {
  ConfidenceOptions,
  ConfidenceResult,
  PairedScoresOptions,
  PairedTestOptions,
  PairedTestResult,
  SignificanceMetric,
  SystemSignificance,
} from "./significance.js";
export {
  bootstrapConfidence,
  pairedApproximateRandomization,
  pairedApproximateRandomizationScores,
  pairedBootstrap,
  pairedBootstrapScores,
} from "./significance.js";
// --- end significance tests ---
