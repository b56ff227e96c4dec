// @ts-check
/**
 * A jest reporter: after a run that included tests/dialogs/chartCoverage.test.ts, prints the
 * statechart coverage that test wrote to coverage/chart-coverage.json (states, transitions, what
 * was never taken). Plain JavaScript: jest loads reporters without transforming them.
 */
const { readFileSync, statSync } = require('node:fs');
const { join, sep } = require('node:path');

const TEST_FILE = ['tests', 'dialogs', 'chartCoverage.test.ts'].join(sep);

class ChartCoverageReporter {
  /** @param {{ rootDir: string }} globalConfig */
  constructor(globalConfig) {
    this.file = join(globalConfig.rootDir, 'coverage', 'chart-coverage.json');
    this.startedAt = Date.now();
  }

  onRunStart() {
    this.startedAt = Date.now();
  }

  /** @param {unknown} _contexts @param {{ testResults: Array<{ testFilePath: string }> }} results */
  onRunComplete(_contexts, results) {
    if (!results.testResults.some((r) => r.testFilePath.endsWith(TEST_FILE))) return;
    let summary;
    try {
      if (statSync(this.file).mtimeMs < this.startedAt) return; // from an earlier run
      summary = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return;
    }
    process.stderr.write(formatChartCoverage(summary, process.stderr.isTTY === true));
  }
}

/**
 * @param {any} s the JSON the coverage test wrote
 * @param {boolean} color
 */
function formatChartCoverage(s, color) {
  const paint = (/** @type {string} */ code, /** @type {string} */ text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const figures = (/** @type {{covered: number, total: number, percent: number}} */ f, /** @type {number} */ floor) =>
    paint(f.percent >= floor ? '32' : '31', `${f.covered}/${f.total} (${f.percent}%)`);
  const lines = [
    '',
    paint('1', `Statechart coverage (${s.chart})`),
    `  states       ${figures(s.states, 100)}`,
    `  transitions  ${figures(s.transitions, s.floorPercent)}, floor ${s.floorPercent}%`,
    paint('2', `  ${s.paths} paths, ${s.events} events, from a graph of ${s.graph.states} states and ${s.graph.edges} edges; ${(s.ms.total / 1000).toFixed(1)} s`),
  ];
  if (s.diverged) lines.push(paint('31', `  ${s.diverged} paths did not go where the graph said (see the test's failure)`));
  if (s.states.missing.length) lines.push(paint('31', '  states never reached:'), ...s.states.missing.map((/** @type {string} */ m) => `    ${m}`));
  if (s.transitions.missing.length) lines.push('  transitions never taken:', ...s.transitions.missing.map((/** @type {string} */ m) => `    ${m}`));
  return lines.join('\n') + '\n\n';
}

module.exports = ChartCoverageReporter;
module.exports.formatChartCoverage = formatChartCoverage;
