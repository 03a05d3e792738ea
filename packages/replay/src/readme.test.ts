/**
 * Runs the README's Usage block and checks every `// output` comment under a `console.log(...)` line against
 * what the block really prints (whitespace-insensitive, since Node wraps long arrays over several lines).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));

test("the README usage example prints what its comments say", () => {
  const readme = readFileSync(`${pkgDir}README.md`, "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const lines = (block as string).split("\n");
  const expected: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith("console.log(")) continue;
    let end = i;
    while (end < lines.length && !lines[end]?.endsWith(");")) end++; // a call may span several lines
    for (let j = end + 1; j < lines.length && lines[j]?.startsWith("// "); j++)
      expected.push(lines[j]!.slice(3));
  }
  expect(expected.length).toBeGreaterThan(3);
  // Inside the package folder so that @dqnlm/* resolve through its node_modules (source condition).
  const file = `${pkgDir}.readme-example-${process.pid}.tmp.ts`;
  writeFileSync(file, block as string);
  let out: string;
  try {
    out = execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", file], {
      cwd: pkgDir,
      encoding: "utf8",
      timeout: 60_000,
    });
  } finally {
    rmSync(file, { force: true });
  }
  const squash = (s: string): string => s.replace(/\s+/g, "");
  expect(squash(out)).toBe(squash(expected.join("\n")));
});
