export type {
  AddOptions,
  EpisodeBatch,
  NStepBatch,
  PrioritizedOptions,
  ReplayOptions,
  SampleEpisodesOptions,
  StoredEpisode,
  TransitionBatch,
} from "./buffer.js";
export { ReplayBuffer } from "./buffer.js";
export type { ReplayInputCode } from "./errors.js";
export { ReplayFileError, ReplayInputError, ReplayUnderfilledError } from "./errors.js";
export type { NStepTarget } from "./nstep.js";
export { nStepReturn } from "./nstep.js";
export type { PaddedEpisodes, TransitionPositions } from "./pad.js";
export { padEpisodes, transitionPositions } from "./pad.js";
