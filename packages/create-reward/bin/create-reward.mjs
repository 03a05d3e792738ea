#!/usr/bin/env node
import { spawnSync } from "node:child_process";
/**
 * `pnpm create-reward <name>`: writes packages/reward-<name>/, a reward package that passes lint, typecheck,
 * test and publint as generated (after `pnpm install` links it into the workspace), and a changeset.
 *
 *   pnpm create-reward length-ratio              # → packages/reward-length-ratio (@dqnlm/reward-length-ratio)
 *   pnpm create-reward length-ratio --scope ""   # → package name dqnlm-reward-length-ratio (outside this repo)
 *   options: --root <dir> (workspace root, default: this repo), --force (overwrite), --no-changeset
 *
 * The generated reward is a working example to replace: token-level F1 on whitespace tokens, the maximum over
 * the references, with reference vectors and the Python script that produced them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** @param {string} name */
const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
/** @param {string} name */
const pascal = (name) => camel(name).replace(/^[a-z]/, (c) => c.toUpperCase());

/**
 * The files of a new reward package, by path relative to the package folder.
 * @param {{ name: string, pkgName: string, rewardsVersion: string }} o
 * @returns {Record<string, string>}
 */
export function rewardPackageFiles({ name, pkgName, rewardsVersion }) {
  const fn = camel(name);
  const Cls = pascal(name);
  const CODE = `DQNLM_REWARD_${name.toUpperCase().replaceAll("-", "_")}_BAD_OPTION`;
  const files = {};
  files["package.json"] = `${JSON.stringify(
    {
      name: pkgName,
      version: "0.1.0",
      description: `${name}: a reward for dqnlm (RL fine-tuning of language models).`,
      license: "Apache-2.0",
      type: "module",
      keywords: ["dqnlm", "dqnlm-reward", "reward", "metric"],
      exports: {
        ".": { source: "./src/index.ts", types: "./dist/index.d.ts", import: "./dist/index.js" },
        "./package.json": "./package.json",
      },
      main: "./dist/index.js",
      types: "./dist/index.d.ts",
      files: ["dist", "src", "!src/**/*.test.ts", "README.md"],
      sideEffects: false,
      scripts: {
        build: "tsc -p tsconfig.build.json",
        typecheck: "tsc -p tsconfig.json --noEmit",
        test: `vitest run --root ../.. packages/reward-${name}`,
        bench: `vitest bench --run --root ../.. packages/reward-${name}/bench`,
        publint: "publint --strict",
      },
      peerDependencies: { "@dqnlm/rewards": rewardsVersion },
      devDependencies: { "@dqnlm/rewards": "workspace:^" },
      engines: { node: ">=20" },
      publishConfig: { access: "public" },
    },
    null,
    2,
  )}\n`;
  files["tsconfig.json"] = `${JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: { noEmit: true },
      include: ["src", "bench", "test"],
    },
    null,
    2,
  )}\n`;
  files["tsconfig.build.json"] = `${JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: { rootDir: "src", outDir: "dist", customConditions: [] },
      include: ["src"],
      exclude: ["src/**/*.test.ts"],
    },
    null,
    2,
  )}\n`;
  files["src/errors.ts"] = `/** Typed errors of ${pkgName}: a stable \`code\` and the offending \`field\`. */
import { RewardsError } from "@dqnlm/rewards";

/** An unknown option or a bad option value. */
export class ${Cls}OptionError extends RewardsError {
  static readonly CODE = "${CODE}";
  constructor(field: string, message: string) {
    super(${Cls}OptionError.CODE, message, { field });
  }
}
`;
  files[`src/${name}.ts`] = `/**
 * The metric itself: pure and synchronous, strings in, a number out. Replace this example (token F1 on
 * whitespace tokens, the best over the references) with your metric and keep it exact against its reference
 * implementation (see test/vectors.json and scripts/make-vectors.py).
 */

/** Options of {@link ${fn}}. */
export interface ${Cls}Options {
  /** Lowercase both sides before comparing. @default false */
  readonly lowercase?: boolean;
}

function tokens(text: string, lowercase: boolean): string[] {
  const t = lowercase ? text.toLowerCase() : text;
  return t.split(/\\s+/).filter((w) => w !== "");
}

function f1(hyp: readonly string[], ref: readonly string[]): number {
  if (hyp.length === 0 || ref.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const w of ref) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of hyp) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / hyp.length;
  const recall = common / ref.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Token F1 of \`hyp\` against each reference, the maximum (0–1). */
export function ${fn}(hyp: string, refs: readonly string[], options: ${Cls}Options = {}): number {
  const lc = options.lowercase ?? false;
  const h = tokens(hyp, lc);
  let best = 0;
  for (const r of refs) best = Math.max(best, f1(h, tokens(r, lc)));
  return best;
}
`;
  files["src/reward.ts"] = `/**
 * The reward: what \`dqnlm --reward ${pkgName}\` loads. The default export is a factory of JSON options that
 * validates them and returns a \`Reward\` (name, config with the signature, score, optional incremental scorer).
 */
import type { Reward } from "@dqnlm/rewards";
import { ${Cls}OptionError } from "./errors.js";
import { ${fn}, type ${Cls}Options } from "./${name}.js";

/** The version of the metric reproduced (the reference implementation's), part of the signature. */
export const ${name.toUpperCase().replaceAll("-", "_")}_VERSION = "example";

/** The signature of a configuration, sacreBLEU style: everything that changes the value. */
export function ${fn}Signature(options: ${Cls}Options = {}): string {
  return \`${name}|lc:\${options.lowercase ? "yes" : "no"}|tok:whitespace|version:\${${name.toUpperCase().replaceAll("-", "_")}_VERSION}\`;
}

/** Builds the reward from JSON options (\`--reward-options '{"lowercase":true}'\`). */
export function ${fn}Reward(options: unknown = {}): Reward {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new ${Cls}OptionError("options", \`expected an options object such as {"lowercase": true}, received \${JSON.stringify(options)}.\`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (key !== "lowercase")
      throw new ${Cls}OptionError(key, \`unknown option \${JSON.stringify(key)}; the options are: lowercase.\`);
  if (o.lowercase !== undefined && typeof o.lowercase !== "boolean")
    throw new ${Cls}OptionError("lowercase", \`expected true or false, received \${JSON.stringify(o.lowercase)}.\`);
  const opts: ${Cls}Options = o.lowercase === undefined ? {} : { lowercase: o.lowercase };
  return {
    name: "${name}",
    config: { metric: "${name}", ...opts, signature: ${fn}Signature(opts) },
    score: (hyp, refs) => ${fn}(hyp, refs, opts),
  };
}
`;
  files["src/index.ts"] = `export type { ${Cls}Options } from "./${name}.js";
export { ${fn} } from "./${name}.js";
export { ${Cls}OptionError } from "./errors.js";
export { ${name.toUpperCase().replaceAll("-", "_")}_VERSION, ${fn}Reward, ${fn}Signature } from "./reward.js";
export { ${fn}Reward as default } from "./reward.js";
`;
  files[`src/${name}.test.ts`] = `import { readFileSync } from "node:fs";
import { isReward, prefixScores, stepRewards } from "@dqnlm/rewards";
import { describe, expect, test } from "vitest";
import ${fn}Default, { ${Cls}OptionError, ${fn}, ${fn}Reward } from "./index.js";

interface Vector {
  readonly hyp: string;
  readonly refs: readonly string[];
  readonly options: { readonly lowercase?: boolean };
  readonly expected: number;
}

// Values printed by scripts/make-vectors.py (the reference implementation); compared to 1e-9.
const vectors = JSON.parse(readFileSync(new URL("../test/vectors.json", import.meta.url), "utf8")) as {
  readonly vectors: readonly Vector[];
};

describe("${name}: reference vectors", () => {
  test.each(vectors.vectors.map((v, i) => [i, v] as const))("vector %i", (_, v) => {
    expect(Math.abs(${fn}(v.hyp, v.refs, v.options) - v.expected)).toBeLessThanOrEqual(1e-9);
  });
  test("there are vectors", () => {
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(4);
  });
});

describe("${name}: the reward", () => {
  test("is a Reward whose default export is its factory", () => {
    const r = ${fn}Reward();
    expect(isReward(r)).toBe(true);
    expect(${fn}Default).toBe(${fn}Reward);
    expect(r.config.signature).toBe("${name}|lc:no|tok:whitespace|version:example");
    // 2 of 3 hypothesis tokens and 2 of 4 reference tokens: F1 = 2·(2/3)(1/2)/(2/3 + 1/2) = 4/7
    expect(r.score("the cat sat", ["a cat sat down"])).toBeCloseTo(4 / 7, 15);
  });

  test("per-step rewards come from the rewards package's wrappers", () => {
    const m = prefixScores(${fn}Reward(), ["", "the", "the cat"], ["the cat"]);
    // "" → 0; "the" → P 1, R 1/2, F1 2/3; "the cat" → 1
    expect([...m]).toEqual([0, 2 / 3, 1]);
    expect([...stepRewards(m, "terminal")]).toEqual([0, 1]);
  });

  test("rejects unknown options and bad values with a typed error", () => {
    expect(() => ${fn}Reward({ lowercas: true })).toThrow(${Cls}OptionError);
    expect(() => ${fn}Reward({ lowercase: "yes" })).toThrow(/expected true or false/);
    try {
      ${fn}Reward([]);
    } catch (e) {
      expect((e as ${Cls}OptionError).code).toBe("${CODE}");
      expect((e as ${Cls}OptionError).field).toBe("options");
    }
  });
});
`;
  const vectors = [
    { hyp: "the cat sat on the mat", refs: ["the cat sat on the mat"], options: {} },
    { hyp: "the cat sat", refs: ["a cat sat down", "the dog"], options: {} },
    { hyp: "The Cat", refs: ["the cat ran"], options: { lowercase: true } },
    { hyp: "The Cat", refs: ["the cat ran"], options: {} },
    { hyp: "", refs: ["anything"], options: {} },
  ];
  // what scripts/make-vectors.py prints (same IEEE operations): 1, 2·(2/3)·(1/2)/(2/3 + 1/2), 0.8, 0, 0
  const f1 = (c, h, r) => (c === 0 ? 0 : (2 * (c / h) * (c / r)) / (c / h + c / r));
  const expected = [1, f1(2, 3, 4), f1(2, 2, 3), 0, 0];
  files["test/vectors.json"] = `${JSON.stringify(
    {
      source: "scripts/make-vectors.py (replace with your reference implementation's output)",
      vectors: vectors.map((v, i) => ({ ...v, expected: expected[i] })),
    },
    null,
    2,
  )}\n`;
  files["scripts/make-vectors.py"] = `#!/usr/bin/env python3
"""Prints test/vectors.json: inputs and the values of the reference implementation.

Replace \`reference\` with a call into the real tool (pinned version), keep the inputs varied (edge cases:
empty strings, several references, Unicode), and commit both this script and its output:
    python3 scripts/make-vectors.py > test/vectors.json
"""
import json


def reference(hyp, refs, lowercase=False):
    def toks(s):
        return (s.lower() if lowercase else s).split()

    def f1(h, r):
        if not h or not r:
            return 0.0
        counts = {}
        for w in r:
            counts[w] = counts.get(w, 0) + 1
        common = 0
        for w in h:
            if counts.get(w, 0) > 0:
                common += 1
                counts[w] -= 1
        if common == 0:
            return 0.0
        p, rc = common / len(h), common / len(r)
        return 2 * p * rc / (p + rc)

    return max(f1(toks(hyp), toks(r)) for r in refs)


CASES = json.loads(r"""${JSON.stringify(vectors)}""")

out = {
    "source": "scripts/make-vectors.py (replace with your reference implementation's output)",
    "vectors": [dict(c, expected=reference(c["hyp"], c["refs"], **c["options"])) for c in CASES],
}
print(json.dumps(out, indent=2))
`;
  files[`bench/${name}.bench.ts`] = `/**
 * Throughput of ${fn} (items/s) against a baseline timed in the same run on the same inputs; the machine load is
 * printed with the figures. Replace the baseline with the closest existing implementation.
 * Run: npx -y pnpm@10 --filter ${pkgName} bench
 */
import { loadavg } from "node:os";
import { afterAll, bench, describe } from "vitest";
import { ${fn} } from "../src/index.js";

const words = "the a cat dog sat ran on under mat rug quickly slowly".split(" ");
let seed = 1;
const next = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const sentence = (): string =>
  Array.from({ length: 8 + Math.floor(next() * 12) }, () => words[Math.floor(next() * words.length)]).join(" ");
const items = Array.from({ length: 200 }, () => ({ hyp: sentence(), refs: [sentence(), sentence()] }));

/** Baseline: the same metric written with arrays and indexOf. */
function naive(hyp: string, refs: readonly string[]): number {
  let best = 0;
  const h = hyp.split(/\\s+/).filter(Boolean);
  for (const ref of refs) {
    const r = ref.split(/\\s+/).filter(Boolean);
    let common = 0;
    for (const w of h) {
      const k = r.indexOf(w);
      if (k >= 0) {
        common++;
        r.splice(k, 1);
      }
    }
    const total = ref.split(/\\s+/).filter(Boolean).length;
    if (common > 0) best = Math.max(best, (2 * common) / (h.length + total));
  }
  return best;
}

describe("${name}", () => {
  bench("${fn} (200 items)", () => {
    for (const it of items) ${fn}(it.hyp, it.refs);
  });
  bench("naive baseline (200 items)", () => {
    for (const it of items) naive(it.hyp, it.refs);
  });
});

afterAll(() => {
  console.log(\`[${name} bench] load average \${loadavg().map((x) => x.toFixed(2)).join(" ")}\`);
});
`;
  files["README.md"] = `# ${pkgName}

A reward for [dqnlm](../../README.md): **${name}**. (Generated by \`pnpm create-reward ${name}\`; replace the
example metric, token F1, with yours.)

## Install

\`\`\`sh
pnpm add ${pkgName} @dqnlm/rewards
\`\`\`

## Usage

\`\`\`ts
import { ${fn}Reward } from "${pkgName}";

const reward = ${fn}Reward({ lowercase: true });
reward.score("The cat sat", ["a cat sat down"]); // 0.5714285714285715
reward.config.signature; // "${name}|lc:yes|tok:whitespace|version:example"
\`\`\`

From the command line (the default export is the factory; \`--reward-options\` is its JSON):

\`\`\`sh
dqnlm train --train train.jsonl --run runs/x --reward ${pkgName} --reward-options '{"lowercase":true}'
\`\`\`

| option      | default | meaning                            |
| ----------- | ------- | ---------------------------------- |
| \`lowercase\` | \`false\` | lowercase both sides before scoring |

## Correctness

\`test/vectors.json\` holds inputs and the values printed by \`scripts/make-vectors.py\` (the reference
implementation); \`src/${name}.test.ts\` checks every one to 1e-9.

## Benchmark

\`npx -y pnpm@10 --filter ${pkgName} bench\` times the metric against a baseline in the same run and prints the
machine load.
`;
  return files;
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      root: { type: "string" },
      scope: { type: "string" },
      force: { type: "boolean", default: false },
      "no-changeset": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const name = positionals[0];
  if (values.help || name === undefined) {
    console.log(
      "usage: pnpm create-reward <name> [--root dir] [--scope @dqnlm|''] [--force] [--no-changeset]",
    );
    process.exitCode = name === undefined && !values.help ? 1 : 0;
    return;
  }
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.startsWith("reward-")) {
    console.error(
      `create-reward: expected a lowercase name like "length-ratio" (letters, digits, single dashes; without the "reward-" prefix), received ${JSON.stringify(name)}.`,
    );
    process.exitCode = 1;
    return;
  }
  const root = resolve(values.root ?? REPO);
  const scope = values.scope ?? "@dqnlm";
  const pkgName = scope === "" ? `dqnlm-reward-${name}` : `${scope}/reward-${name}`;
  const dir = join(root, "packages", `reward-${name}`);
  if (existsSync(dir) && !values.force) {
    console.error(`create-reward: ${dir} already exists (pass --force to overwrite its generated files).`);
    process.exitCode = 1;
    return;
  }
  const rewardsPkg = join(root, "packages", "rewards", "package.json");
  const rewardsVersion = existsSync(rewardsPkg)
    ? `^${JSON.parse(readFileSync(rewardsPkg, "utf8")).version}`
    : "^0.1.0";
  const files = rewardPackageFiles({ name, pkgName, rewardsVersion });
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  // Line breaks and import order depend on the name: let the repo's formatter settle them.
  const biome = join(REPO, "node_modules", ".bin", "biome");
  if (existsSync(biome)) {
    const r = spawnSync(biome, ["check", "--write", dir], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) console.error(`create-reward: biome check --write reported:\n${r.stdout}${r.stderr}`);
  } else console.warn("create-reward: biome not found; run `npx biome check --write` on the new package.");
  if (!values["no-changeset"]) {
    const cs = join(root, ".changeset", `reward-${name}.md`);
    mkdirSync(dirname(cs), { recursive: true });
    writeFileSync(cs, `---\n"${pkgName}": minor\n---\n\n${pkgName}: first release (the ${name} reward).\n`);
  }
  const rel = relative(process.cwd(), dir) || ".";
  console.log(`created ${pkgName} in ${rel}
next:
  npx -y pnpm@10 install                      # link it into the workspace
  npx vitest run ${relative(root, dir)}         # reference vectors + contract tests
  dqnlm train … --reward ${pkgName}           # or --reward ./${relative(root, dir)}#${camel(name)}Reward`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
