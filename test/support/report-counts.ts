/**
 * Reads the counts of one run out of each report format, each the way its own reader would: the
 * console's and the step summary's counts line, JUnit's testsuite attributes, the
 * ConformanceReport's statistics and tests, the HTML page's counts line and its test sections. A test holds
 * them to each other: every format must say the same of the same run.
 */
export interface FormatCounts {
  /** M of "N of M tests selected": every test of the plan, selected or not. */
  planned: number;
  selected: number;
  passed: number;
  failed: number;
  skipped: number;
}

const LINE = /(\d+) of (\d+) tests selected: (\d+) passed, (\d+) failed, (\d+) skipped/;

function fromLine(text: string, where: string): FormatCounts {
  const match = LINE.exec(text);
  if (!match) throw new Error(`${where}: no counts line in\n${text}`);
  const [, selected, planned, passed, failed, skipped] = match.map(Number) as number[];
  return {
    planned: planned as number,
    selected: selected as number,
    passed: passed as number,
    failed: failed as number,
    skipped: skipped as number,
  };
}

/** JUnit: the testsuites of the profiles (the run-error suite holds no test). */
function fromJunit(xml: string): FormatCounts {
  const suites = [...xml.matchAll(/<testsuite name="egress-conformance (core|extended)"[^>]*>/g)].map(
    ([tag]) => {
      const attr = (name: string) => Number(new RegExp(` ${name}="(\\d+)"`).exec(tag)?.[1] ?? Number.NaN);
      return { tests: attr('tests'), failures: attr('failures'), skipped: attr('skipped') };
    },
  );
  const sum = (key: 'tests' | 'failures' | 'skipped') => suites.reduce((n, s) => n + s[key], 0);
  const cases = [...xml.matchAll(/<testcase [^>]*classname="egress-conformance\.(core|extended)\./g)].length;
  if (cases !== sum('tests')) throw new Error(`junit: ${cases} testcases, the suites say ${sum('tests')}`);
  // Every profile suite carries the run's counts line as a property; M is read from it.
  const lines = [...xml.matchAll(/<property name="counts" value="([^"]*)"\/>/g)].map((m) => m[1] as string);
  if (lines.length !== suites.length || new Set(lines).size > 1)
    throw new Error(`junit: counts properties ${JSON.stringify(lines)} for ${suites.length} suites`);
  const line = fromLine(lines[0] ?? '', 'junit counts property');
  const own = {
    planned: line.planned,
    selected: sum('tests'),
    passed: sum('tests') - sum('failures') - sum('skipped'),
    failed: sum('failures'),
    skipped: sum('skipped'),
  };
  if (JSON.stringify(own) !== JSON.stringify(line)) {
    throw new Error(`junit: its suites ${JSON.stringify(own)}, its counts property ${JSON.stringify(line)}`);
  }
  return own;
}

function fromConformance(json: string): FormatCounts {
  const report = JSON.parse(json) as {
    statistics: { passed: number; failed: number; skipped: number };
    selection: { plannedTests: number; selectedTests: number };
    tests: Array<{ status: string }>;
  };
  const status = (s: string) => report.tests.filter((t) => t.status === s).length;
  const own = {
    planned: report.selection.plannedTests,
    selected: report.tests.length,
    passed: status('passed'),
    failed: status('failed'),
    skipped: status('skipped'),
  };
  const said = {
    planned: report.selection.plannedTests,
    selected: report.selection.selectedTests,
    ...report.statistics,
  };
  if (JSON.stringify(own) !== JSON.stringify(said)) {
    throw new Error(`conformance: its tests ${JSON.stringify(own)}, its statistics ${JSON.stringify(said)}`);
  }
  return own;
}

function fromHtml(html: string): FormatCounts {
  const line = fromLine(/<p id="counts">([^<]*)<\/p>/.exec(html)?.[1] ?? '', 'html #counts');
  const statuses = [...html.matchAll(/<section class="test" [^>]*data-status="(\w+)"/g)].map((m) => m[1]);
  const status = (s: string) => statuses.filter((x) => x === s).length;
  const own = {
    planned: line.planned,
    selected: statuses.length,
    passed: status('passed'),
    failed: status('failed'),
    skipped: status('skipped'),
  };
  if (JSON.stringify(own) !== JSON.stringify(line)) {
    throw new Error(`html: its sections ${JSON.stringify(own)}, its counts line ${JSON.stringify(line)}`);
  }
  return line;
}

export interface ReportTexts {
  console: string;
  stepSummary: string;
  junit: string;
  conformance: string;
  html: string;
}

/** The counts each format gives, by format. */
export function countsByFormat(texts: ReportTexts): Record<keyof ReportTexts, FormatCounts> {
  return {
    console: fromLine(texts.console, 'console'),
    stepSummary: fromLine(texts.stepSummary, 'step summary'),
    junit: fromJunit(texts.junit),
    conformance: fromConformance(texts.conformance),
    html: fromHtml(texts.html),
  };
}
