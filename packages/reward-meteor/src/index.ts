export { MeteorOptionError } from "./errors.js";
export type { MeteorOptions } from "./meteor.js";
export { alignWords, meteor, pySplit, sharedWordNet, singleMeteor } from "./meteor.js";
export type { MeteorRewardOptions } from "./reward.js";
export { METEOR_NLTK_VERSION, meteorReward, meteorReward as default, meteorSignature } from "./reward.js";
export type { WordNetFiles } from "./wordnet.js";
export { defaultWordNetFiles, WordNet } from "./wordnet.js";
