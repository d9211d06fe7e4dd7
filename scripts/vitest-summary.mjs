// What a vitest JSON report (--reporter=json) adds to `pnpm test`'s summary line.
//
// The report's numFailedTestSuites counts every failed describe block as well as every failed file,
// so one failing test inside a describe was counted three times. A file counts on its own only when
// it failed without any failed test: it could not run (an import error, a throw at the top level,
// a failing hook).

/**
 * @param {{ numPassedTests: number, numFailedTests: number, testResults?: { status: string, name: string, assertionResults?: { status: string }[] }[] }} report
 * @returns {{ passed: number, failed: number, couldNotRun: string[], line: string }}
 */
export function summarizeVitestReport(report) {
  const couldNotRun = (report.testResults ?? [])
    .filter((file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'))
    .map((file) => file.name);
  const passed = report.numPassedTests;
  const failed = report.numFailedTests + couldNotRun.length;
  const line = `vitest: ${passed} passed, ${report.numFailedTests} failed, ${couldNotRun.length} files could not run`;
  return { passed, failed, couldNotRun, line };
}
