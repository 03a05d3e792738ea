export type { Episode } from "./episode.js";
export { episodeLength } from "./episode.js";
export { DqnlmError, preview } from "./errors.js";
export { crc32, writeFileAtomic, writeJsonAtomic } from "./fs.js";
export { editDistance, nearestName } from "./names.js";

export type { RngState } from "./rng.js";
export { Rng } from "./rng.js";
