// Prints the plain closing line CI reads ("N passed, N failed" alone on a line) after jest's own summary.
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
  }
}
module.exports = ClosingLineReporter;
