// --- TER, ROUGE, SQuAD, rewards ---
export type { PorterMode } from "./porter.js";
export { PorterStemmer } from "./porter.js";
export type { DefaultRougeType, RougeOptions, RougeScore, RougeType } from "./rouge.js";
export { isRougeType, ROUGE_SCORE_VERSION, rouge, rougeSignature, rougeTokenize } from "./rouge.js";
export type { SquadResult } from "./squad.js";
export { normalizeAnswer, SQUAD_SIGNATURE, squad, squadCorpus } from "./squad.js";
export type { TerOptions, TerResult } from "./ter.js";
export { corpusTer, sentenceTer } from "./ter.js";
// --- end TER, ROUGE, SQuAD, rewards ---
