import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Idf } from "@dqnlm/appkit";
import { trainTokenizer } from "@dqnlm/mdp";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import { encodePrompt, encodeTarget, sequenceLogProbs } from "@dqnlm/trainer";
import { beforeAll, describe, expect, it } from "vitest";
import { sentenceOverlapAnswerer } from "./answerers.js";
import { demoQaData } from "./demo-data.js";
import {
  extractiveRate,
  generatorCandidateScores,
  generatorSpans,
  loadQaGenerator,
  precomputedAnswerer,
  withFeature,
} from "./generator.js";
import { qaEpisodes } from "./selection.js";
import { promptSentences, qaPrompt } from "./task.js";

const data = demoQaData(3);
const examples = data.validation.slice(0, 12);

/** A run folder as `train` writes it: app-config.json, tokenizer/, checkpoints/best (random weights). */
async function fakeRun(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "qa-gen-"));
  const tok = trainTokenizer(
    data.train.slice(0, 200).flatMap((e) => [e.context, e.question, ...e.answers]),
    { vocabSize: 300 },
  );
  tok.save(join(dir, "tokenizer"));
  const net = QNetwork.random(
    { vocabSize: tok.vocabSize, nPositions: 64, nEmbd: 16, nLayer: 1, nHead: 2 },
    4,
  );
  mkdirSync(join(dir, "checkpoints"), { recursive: true });
  await net.save(join(dir, "checkpoints", "best"));
  net.dispose();
  writeFileSync(
    join(dir, "app-config.json"),
    JSON.stringify({
      task: "qa",
      options: { "context-words": 30, "max-prompt-tokens": 48, "max-new-tokens": 6, "train-limit": 10 },
    }),
  );
  return dir;
}

describe("the generator as a selection answerer", () => {
  let run = "";
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
    run = await fakeRun();
  });

  it("reads the prompt settings and train limit the run was trained with", () => {
    const g = loadQaGenerator(run);
    expect([g.contextWords, g.maxPromptTokens, g.maxNewTokens, g.trainLimit]).toEqual([30, 48, 6, 10]);
    expect(g.dataDir).toBeUndefined();
    expect(() => loadQaGenerator(tmpdir())).toThrow(/Invalid --generator/);
  });

  it("constrained beams are distinct word spans of the prompt's context sentences, best first", async () => {
    const g = loadQaGenerator(run);
    const spans = await generatorSpans(g, examples, { beams: 3, constrained: true });
    expect(spans).toHaveLength(examples.length);
    expect(extractiveRate(examples, spans)).toBe(1);
    for (const [i, ss] of spans.entries()) {
      const ex = examples[i]!;
      expect(ss.length).toBeGreaterThan(0);
      expect(ss.length).toBeLessThanOrEqual(3);
      expect(new Set(ss.map((s) => s.text)).size).toBe(ss.length);
      const kept = promptSentences(ex.question, ex.context, 30).map((s) => ex.context.slice(s.start, s.end));
      for (const s of ss) {
        expect(
          kept.some((k) => k.includes(s.text)),
          s.text,
        ).toBe(true);
        expect(ex.context.slice(s.start, s.end)).toBe(s.text);
        expect(s.text.split(/\s+/u).length).toBeLessThanOrEqual(6);
        // Whole spans only: ≤ max-new-tokens − 1 tokens, so that EOS fits (no span cut by the length limit).
        expect(g.tokenizer.encode(s.text).length).toBeLessThan(6);
      }
      for (let j = 1; j < ss.length; j++) expect(ss[j]!.score).toBeLessThanOrEqual(ss[j - 1]!.score);
    }
    // Free decoding of random weights is rarely extractive; the spans still come back, positioned at 0 when absent.
    const free = await generatorSpans(g, examples, { beams: 2, constrained: false });
    expect(extractiveRate(examples, free)).toBeLessThan(1);
    for (const ss of free) expect(ss.length).toBeLessThanOrEqual(2);
  });

  it("answers from its table and widens every episode by the generator's log-probability feature", async () => {
    const g = loadQaGenerator(run);
    const spans = await generatorSpans(g, examples, { beams: 2 });
    const gen = precomputedAnswerer("generator", examples, spans);
    expect(gen.answer(examples[0]!.context, examples[0]!.question, 1)).toEqual(spans[0]!.slice(0, 1));
    expect(() => gen.answer("another context", "another question", 1)).toThrow(/Invalid --generator/);
    const idf = Idf.fromDocuments(data.train.map((e) => e.context));
    const eps = qaEpisodes(examples, [sentenceOverlapAnswerer({ idf }), gen], idf, 2);
    const scores = generatorCandidateScores(g, eps, 5);
    const wide = withFeature(eps, scores);
    const tok = g.tokenizer;
    const net = QNetwork.load(g.checkpoint);
    for (const [i, e] of wide.entries()) {
      expect(e.candidates.some((c) => c.answerer === 1)).toBe(true);
      const p = encodePrompt(tok, qaPrompt(e.example.question, e.example.context, 30), 48);
      const conts = e.candidates.map((c) => encodeTarget(tok, c.text, 6));
      const lp = sequenceLogProbs(
        net,
        conts.map(() => p),
        conts,
      );
      for (const [c, f] of e.features.entries()) {
        expect(f.length).toBe(eps[i]!.features[c]!.length + 1);
        expect(f.subarray(0, f.length - 1)).toEqual(eps[i]!.features[c]);
        expect(f[f.length - 1]).toBeCloseTo(lp[c]! / conts[c]!.length, 4);
        expect(f[f.length - 1]).toBeLessThan(0);
      }
    }
    net.dispose();
  });
});
