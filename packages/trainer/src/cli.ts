/**
 * The `dqnlm` executable (bin/dqnlm.js → dist/cli.js). Only this file turns errors into exit codes: one line
 * (`error CODE (field): message`) plus a hint, never a stack trace; exit 2 for usage/config errors, 3 for data,
 * 4 for training/checkpoint errors, 1 for anything unexpected.
 */
import { exitCodeOf, formatError, runCli } from "./cli-lib.js";
import { logAboveProgress } from "./progress.js";

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    logAboveProgress(`${formatError(e)}\n`, process.stderr);
    process.exitCode = exitCodeOf(e);
  },
);
