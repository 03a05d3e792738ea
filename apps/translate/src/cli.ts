#!/usr/bin/env node
/** The dqnlm-translate command line: `demo`, `train`, `eval`, `generate`, `experiment` (see --help). */
import { generationCli, runTaskCli } from "@dqnlm/appkit";
import { translateTask } from "./task.js";

process.exitCode = await runTaskCli(generationCli(translateTask, "dqnlm-translate"), process.argv.slice(2));
