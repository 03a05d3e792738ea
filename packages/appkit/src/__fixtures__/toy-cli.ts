/** The toy task's CLI, run as a child process by the kill/resume test. */
import { generationCli } from "../cli/generation.js";
import { runTaskCli } from "../cli/run.js";
import { toyTask } from "./toy-task.js";

process.exitCode = await runTaskCli(generationCli(toyTask, "dqnlm-toy"), process.argv.slice(2));
