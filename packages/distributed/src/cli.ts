/**
 * The `dqnlm-distributed` executable (bin/dqnlm-distributed.js → dist/cli.js). Only this file turns errors
 * into exit codes.
 */
import { formatDistributedError, runDistributedCli } from "./cli-lib.js";

runDistributedCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(formatDistributedError(e));
    process.exitCode = 1;
  },
);
