/**
 * The `dqnlm` executable (bin/dqnlm.js → dist/cli.js). Only this file turns errors into exit codes.
 */
import { formatError, runCli } from "./cli-lib.js";

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(formatError(e));
    process.exitCode = 1;
  },
);
