#!/usr/bin/env node
/** The dqnlm-summarize command line: `demo`, `train`, `eval`, `generate`, `experiment` (see --help). */
import { generationCli, runTaskCli } from "@dqnlm/appkit";
import { summarizeTask } from "./task.js";

process.exitCode = await runTaskCli(generationCli(summarizeTask, "dqnlm-summarize"), process.argv.slice(2));
