// Prints the plain "N passed, N failed" closing line that CI reads, after jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed` +
        (skipped > 0 ? `, ${skipped} skipped` : "") +
        "\n",
    );
    // Tests left out because a program they drive is not installed (tests/helpers/tools.ts).
    const needs = new Map();
    for (const file of results.testResults)
      for (const test of file.testResults) {
        const tool = /\[needs (\w+)\]/.exec(test.fullName)?.[1];
        if (test.status === "pending" && tool) needs.set(tool, (needs.get(tool) ?? 0) + 1);
      }
    if (needs.size > 0)
      process.stdout.write(
        `left out: ${[...needs].map(([tool, n]) => `${n} tests that need ${tool}`).join(", ")} ` +
          "(not installed); add them with: sudo apt-get update && sudo apt-get install -y tmux chromium\n",
      );
  }
}
module.exports = SummaryReporter;
