/**
 * `dqnlm-score` prints what sacreBLEU 2.6.0's own CLI prints, byte for byte, for the layouts it shares with it
 * (`-f json`, `--confidence`, `-sh`, `-sl`, `-b`, `--paired-bs`/`--paired-ar` with `-f json`). The expected outputs
 * in `test/sacrebleu-cli-outputs.json` were printed by sacreBLEU itself (`scripts/sacrebleu-cli.py --fixtures`,
 * numpy 2.4.6) on the bundled examples; all p-values and rounded scores are identical.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-main.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const fixtures = JSON.parse(readFileSync(`${PKG}/test/sacrebleu-cli-outputs.json`, "utf8")) as {
  args: string[];
  stdout: string;
}[];
const io = { readFile: (p: string): Uint8Array => readFileSync(`${PKG}/${p}`), readStdin: (): string => "" };

/**
 * Paired JSON prints raw floats; BLEU goes through `exp`/`log`, where V8 and glibc may differ in the last bit, so
 * numbers with 13+ significant digits are compared to 12 (everything else, layout included, byte for byte).
 */
function fullPrecisionTo12(s: string): string {
  return s.replace(/\d+\.\d{10,}(e-?\d+)?/g, (x) => Number(x).toPrecision(12));
}

describe("dqnlm-score output = sacreBLEU 2.6.0's", () => {
  for (const f of fixtures) {
    it(f.args.join(" "), () => {
      const r = runCli([...f.args, "-q"], io);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(fullPrecisionTo12(r.stdout)).toBe(fullPrecisionTo12(f.stdout));
    });
  }
});
