#!/usr/bin/env node
/** Entry point of the `dqnlm-score` command (see `cli-main.ts`); the only place that sets an exit status. */
import { readFileSync } from "node:fs";
import { runCli } from "./cli-main.js";

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

const outcome = runCli(process.argv.slice(2), {
  readStdin: () => {
    if (process.stdin.isTTY) throw new Error("no hypotheses: pipe them on stdin or pass -i FILE");
    return readFileSync(0);
  },
  version: packageVersion(),
});
if (outcome.stdout) process.stdout.write(outcome.stdout);
if (outcome.stderr) process.stderr.write(outcome.stderr);
process.exitCode = outcome.code;
