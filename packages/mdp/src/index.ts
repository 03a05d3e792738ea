export type { MdpErrorCode } from "./errors.js";
export { MdpError } from "./errors.js";
export type {
  BatchSelectionStepResult,
  NextCandidatesFn,
  SelectionContext,
  SelectionEpisode,
  SelectionMDPOptions,
  SelectionRewardFn,
  SelectionStepResult,
  SelectionTask,
} from "./selection-mdp.js";
export { BatchSelectionMDP, SelectionMDP } from "./selection-mdp.js";
export type {
  BatchStepResult,
  EpisodeContext,
  EpisodeRewardFn,
  StepContext,
  StepResult,
  StepRewardFn,
  TokenMDPOptions,
} from "./token-mdp.js";
export { BatchTokenMDP, TokenMDP } from "./token-mdp.js";
export type { HFTokenizerOptions, Tokenizer, TokenizerConfigJson, TokenizerJson } from "./tokenizer.js";
export { HFTokenizer, loadTokenizer } from "./tokenizer.js";
export type { TrainTokenizerOptions } from "./train-tokenizer.js";
export { trainTokenizer } from "./train-tokenizer.js";
