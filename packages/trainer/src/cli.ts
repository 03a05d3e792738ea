/**
 * The `dqnlm` executable (bin/dqnlm.js → dist/cli.js). Only this file turns errors into exit codes: one line
 * (`error CODE (field): message`) plus a hint, never a stack trace; exit 2 for usage/config errors, 3 for data,
 * 4 for training/checkpoint errors, 1 for anything unexpected.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { exitCodeOf, formatError, runCli } from "./cli-lib.js";
import { TrainerInputError } from "./errors.js";
import { logAboveProgress } from "./progress.js";

/**
 * `dqnlm actor|learner` delegate to @dqnlm/distributed (which depends on this package, so it is loaded by name
 * at run time): from this package's resolution, else from the nearest node_modules above the working folder.
 */
async function runDistributed(argv: readonly string[]): Promise<number> {
  const name = "@dqnlm/distributed";
  type Mod = { runDistributedCli(a: readonly string[]): Promise<number> };
  try {
    return await ((await import(name)) as Mod).runDistributedCli(argv);
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_MODULE_NOT_FOUND" || !String(e).includes(name)) throw e;
  }
  for (let d = process.cwd(); ; d = dirname(d)) {
    const pj = join(d, "node_modules", name, "package.json");
    if (existsSync(pj)) {
      const entry = (JSON.parse(readFileSync(pj, "utf8")) as { exports: { ".": { import: string } } })
        .exports["."].import;
      return ((await import(pathToFileURL(join(dirname(pj), entry)).href)) as Mod).runDistributedCli(argv);
    }
    if (dirname(d) === d) break;
  }
  throw new TrainerInputError(
    "command",
    `\`dqnlm ${argv[0]}\` needs @dqnlm/distributed: install it next to @dqnlm/trainer (npm i @dqnlm/distributed), or run its own bin, dqnlm-distributed.`,
  );
}

const argv = process.argv.slice(2);
(argv[0] === "actor" || argv[0] === "learner" ? runDistributed(argv) : runCli(argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    logAboveProgress(`${formatError(e)}\n`, process.stderr);
    process.exitCode = exitCodeOf(e);
  },
);
