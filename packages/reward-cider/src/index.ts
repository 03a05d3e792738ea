export type { CiderOptions } from "./cider.js";
export { CiderD, ciderD, pySplit } from "./cider.js";
export { CiderOptionError } from "./errors.js";
export type { CiderRewardOptions } from "./reward.js";
export { CIDER_PYCOCOEVALCAP_COMMIT, ciderReward, ciderReward as default, ciderSignature } from "./reward.js";
