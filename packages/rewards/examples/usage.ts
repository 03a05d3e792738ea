// Run: node --conditions=source --import tsx examples/usage.ts   (from packages/rewards)
import {
  bleuIncremental,
  bleuTokenize,
  corpusBleu,
  corpusChrf,
  sentenceBleu,
  sentenceChrf,
} from "@dqnlm/rewards";

const hyps = ["The cat sat on the mat.", "A dog is running in the park."];
const refs = [
  ["The cat is sitting on the mat."],
  ["A dog runs through the park.", "The dog is running in a park."],
];

const bleu = corpusBleu(hyps, refs);
console.log(bleu.score, bleu.counts, bleu.totals, bleu.signature);
console.log(sentenceBleu("The cat sat on the mat.", ["The cat is sitting on the mat."]).score);
console.log(corpusChrf(hyps, refs).score, corpusChrf(hyps, refs, { wordOrder: 2 }).signature);
console.log(
  sentenceChrf("The cat sat on the mat.", ["The cat is sitting on the mat."], { wordOrder: 2 }).score,
);
console.log(bleuTokenize("他说“你好”—再见…", { tokenize: "zh" }));

const inc = bleuIncremental(["The cat is sitting on the mat."]);
console.log(["The", " cat", " sat", " on", " the", " mat", "."].map((piece) => inc.push(piece)));
