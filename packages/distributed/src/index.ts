export type { ActorInput, ActorResult, WeightsMeta } from "./actor.js";
export { fetchWeights, runActor } from "./actor.js";
export type { LearnerConfigFile } from "./cli-lib.js";
export { formatDistributedError, learnerSpecFromFile, runDistributedCli } from "./cli-lib.js";
export type { WeightsBlob, WireEpisode } from "./codec.js";
export {
  decodeEpisode,
  decodeWeights,
  encodeEpisode,
  encodeWeights,
  parseEpisodeId,
  sha256,
} from "./codec.js";
export type { DistributedErrorCode } from "./errors.js";
export { DistributedError } from "./errors.js";
export { actorSeed, actorTemperature, apexEpsilon, initialTdErrors } from "./exploration.js";
export type { LearnerInput, LearnerResult, LearnerTestReport } from "./learner.js";
export { runLearner } from "./learner.js";
export type { ConnectOptions, RunKeys } from "./redis.js";
export { connectRedis, redactRedisUrl, runKeys } from "./redis.js";
export type {
  DistributedOptions,
  LearnerInit,
  LearnerSpec,
  RewardSpec,
  RunManifest,
  TokenizerSpec,
} from "./spec.js";
export { DISTRIBUTED_DEFAULTS, parseManifest, resolveDistributed, rewardFromSpec } from "./spec.js";
