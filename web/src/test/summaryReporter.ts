// Ends a test run with one plain line, "N passed, N failed" (", N skipped" when some were), after
// Vitest's own summary, so scripts reading the output see how many tests ran.

import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") {
          passed += 1;
        } else if (state === "failed") {
          failed += 1;
        } else {
          skipped += 1;
        }
      }
      // A file that failed to load has no tests to count, but it is a failure.
      if (module.state() === "failed" && !module.children.size) {
        failed += 1;
      }
    }
    const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
    console.log(`\n${line}`);
  }
}
