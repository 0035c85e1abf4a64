/**
 * dsr's dependency rules, checked by `npm run check:deps` (part of `npm test`): no import cycles, and
 * no import from a higher layer into a lower one. The layers, lowest first (a module may import its
 * own layer and those below it):
 *
 *   src/byte-scan   byte-level search primitives (a leaf: it imports nothing of dsr)
 *   src/core        types, errors, raw paths, run temp files: the vocabulary of every layer
 *   src/io          writing files: the atomic write and the rules for -o/--out
 *   src/match       normalisation, subject matching (names, CPR and phone rules)
 *   detectors       one file per detector (text in, candidates out) and the registry of them
 *   src/scan-file   the scan file: writer, packed findings, loader
 *   src/extract     one folder per format family: bytes in, text and child items out
 *   src/crawl       sources of top-level items: the file system walk, IMAP
 *   src/engine      the scan: pools, limits, prefilter, evidence
 *   src/index, src/review, src/report, src/erase, src/export
 *                   what is done with a scan: the index, review decisions, the access report, the
 *                   erasure, the export
 *   src/cluster     agents and their coordinator on PostgreSQL: runs the engine, the index and the
 *                   erasure on each host (loaded only for --db)
 *   cli             one module per command, the review TUI
 *
 * bench/, test/ and fixtures/ may import anything; nothing else imports them. A new folder in src/
 * must be given its place here first (rule every-src-folder-has-a-layer).
 */

/** A path pattern for the given top folders. */
const under = (...dirs) => `^(${dirs.join('|')})/`;

const BYTE_SCAN = 'src/byte-scan';
const CORE = 'src/core';
const IO = 'src/io';
const MATCH = 'src/match';
const DETECTORS = 'detectors';
const SCAN_FILE = 'src/scan-file';
const EXTRACT = 'src/extract';
const CRAWL = 'src/crawl';
const ENGINE = 'src/engine';
const SINKS = ['src/index', 'src/review', 'src/report', 'src/erase', 'src/export'];
const CLUSTER = 'src/cluster';
const CLI = 'cli';
const OUTSIDE = ['bench', 'test', 'fixtures'];
const LAYERED = [BYTE_SCAN, CORE, IO, MATCH, SCAN_FILE, EXTRACT, CRAWL, ENGINE, ...SINKS, CLUSTER];

/** What each layer must not import: everything above it (the product's own code only). */
const layerRule = (name, from, notTo, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: under(from) },
  to: { path: under(...notTo) },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle makes two modules one: neither can be read, tested or changed alone, and ESM evaluates one of them half-initialised. Type-only imports count too: a layer is a layer for its types as well.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layerRule(
      'byte-scan-is-a-leaf',
      BYTE_SCAN,
      [CORE, IO, MATCH, DETECTORS, SCAN_FILE, EXTRACT, CRAWL, ENGINE, ...SINKS, CLI],
      'The byte-scan module holds generic primitives (find bytes, count, decode Latin-1) that detectors, extractors and the index build on; it knows none of them.',
    ),
    layerRule(
      'core-is-the-base',
      CORE,
      [IO, MATCH, DETECTORS, SCAN_FILE, EXTRACT, CRAWL, ENGINE, ...SINKS, CLI],
      'src/core is what every layer shares (types, errors, schemas); it depends on nothing of dsr, or every change would ripple everywhere.',
    ),
    layerRule(
      'io-is-below-everything-that-writes',
      IO,
      [MATCH, DETECTORS, SCAN_FILE, EXTRACT, CRAWL, ENGINE, ...SINKS, CLI],
      'src/io writes bytes safely and knows nothing of what they mean; every writer above uses it.',
    ),
    layerRule(
      'match-knows-no-detector-nor-format',
      MATCH,
      [IO, DETECTORS, SCAN_FILE, EXTRACT, CRAWL, ENGINE, ...SINKS, CLI],
      'Matching compares text with a subject; detectors build on it, not the other way round.',
    ),
    layerRule(
      'detectors-are-pure',
      DETECTORS,
      [IO, SCAN_FILE, EXTRACT, CRAWL, ENGINE, ...SINKS, CLI],
      'A detector is text in, candidates out (STYLE.md): no I/O, no format, no knowledge of the engine that calls it.',
    ),
    layerRule(
      'scan-file-is-a-format',
      SCAN_FILE,
      [MATCH, DETECTORS, EXTRACT, CRAWL, ENGINE, ...SINKS, CLI],
      'The scan file is the engine\'s output and the input of every later command; its writer and reader depend on no scan logic, so the engine writes it without depending on a report, and the report reads it without depending on the engine.',
    ),
    layerRule(
      'extractors-never-judge',
      EXTRACT,
      [MATCH, DETECTORS, SCAN_FILE, CRAWL, ENGINE, ...SINKS, CLI],
      'An extractor turns bytes into text and child items; it never decides what is personal data (no match, no detectors) and knows no engine.',
    ),
    layerRule(
      'sources-only-find-items',
      CRAWL,
      [MATCH, DETECTORS, SCAN_FILE, EXTRACT, ENGINE, ...SINKS, CLI],
      'A source (the walk, IMAP) yields items; the walker never searches (ripgrep\'s split), and the engine it feeds is above it.',
    ),
    layerRule(
      'engine-knows-no-sink',
      ENGINE,
      [...SINKS, CLI],
      'The engine scans and hands its results to the scan file; what is done with a scan (index, report, erasure, export) and how it is shown (cli) build on it.',
    ),
    layerRule(
      'review-decisions-are-data',
      'src/review',
      ['src/index', 'src/report', 'src/erase', 'src/export', CLI],
      'Review decisions are a file that the report, the plan and the TUI read; they depend on none of them.',
    ),
    layerRule(
      'report-is-a-sink',
      'src/report',
      ['src/index', 'src/erase', 'src/export', CLI],
      'The access report reads a scan and its review decisions; the export embeds it, so it cannot depend on the export, the erasure or the index.',
    ),
    layerRule(
      'erase-stands-alone',
      'src/erase',
      ['src/index', 'src/report', 'src/export', CLI],
      'The erasure acts on an approved plan: it must not depend on the report or the export (which use its redaction), nor on the index.',
    ),
    layerRule(
      'export-is-the-top-sink',
      'src/export',
      ['src/index', CLI],
      'The export combines the report and the erasure\'s masking; the CLI calls it, not the reverse.',
    ),
    layerRule(
      'index-is-a-sink',
      'src/index',
      ['src/review', 'src/report', 'src/erase', 'src/export', CLI],
      'The index stores what a scan found; it runs the engine and needs no other sink.',
    ),
    layerRule(
      'cluster-is-below-the-cli',
      CLUSTER,
      [CLI],
      'The cluster runs scans, indexes and erasures on agents for the commands; the commands call it.',
    ),
    layerRule(
      'nothing-below-needs-the-cluster',
      `(${[BYTE_SCAN, CORE, IO, MATCH, DETECTORS, SCAN_FILE, EXTRACT, CRAWL, ENGINE, ...SINKS].join('|')})`,
      [CLUSTER],
      'A single-machine run never loads PostgreSQL: nothing the engine or a sink needs may come from src/cluster.',
    ),
    {
      name: 'every-src-folder-has-a-layer',
      comment: 'A module in a folder of src/ that no rule here places has no layer to keep: add the folder above.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: under(...LAYERED) },
      to: {},
    },
    {
      name: 'product-never-imports-tests-or-bench',
      comment: 'What ships (src, detectors, cli) must build and run without the test suite, the bench and the fixture generator.',
      severity: 'error',
      from: { path: under('src', DETECTORS, CLI) },
      to: { path: under(...OUTSIDE) },
    },
    {
      name: 'no-dev-dependency-at-run-time',
      comment:
        'The built CLI runs with `npm install --omit=dev`: what it imports at run time must be in dependencies (see docs/decisions/dependencies.md). Build scripts (`build.mjs`, `*-build.mjs`: src/byte-scan/build.mjs, run by `npm run wasm`) are development tools.',
      severity: 'error',
      from: { path: under('src', DETECTORS, CLI), pathNot: '(^|/|-)build\\.mjs$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unresolvable-import',
      comment: 'An import that resolves to no file fails at run time; tsc does not see the .mjs and .cjs files.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-unlisted-package',
      comment: 'A package imported but not in package.json (a transitive one) can vanish with any upgrade.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // Type-only imports are part of the graph: a cycle or an upward import of types is one too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cts', '.cjs'],
      // ESM packages (ink) export their entry points under `import` only.
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
