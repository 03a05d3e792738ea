#!/usr/bin/env node
/**
 * The dqnlm-qa command line: generation commands from appkit (`train`, `eval`, `generate`, `experiment`) for the
 * generative mode, `select` for the selection mode, and `demo`, which runs both on the built-in data.
 */
import { generationCli, runTaskCli } from "@dqnlm/appkit";
import { demoCommand } from "./demo-command.js";
import { selectCommand } from "./select-command.js";
import { spansCommand } from "./spans-command.js";
import { qaTask } from "./task.js";

const base = generationCli(qaTask, "dqnlm-qa", { select: selectCommand, "eval-spans": spansCommand });
const cli = { ...base, commands: { ...base.commands, demo: demoCommand(base.commands.demo!) } };
process.exitCode = await runTaskCli(cli, process.argv.slice(2));
