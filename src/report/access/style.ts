import type { DetectorRegistry } from '../../../detectors/index.js';

/** The report's stylesheet, inlined so that the HTML file stands alone. Screen first, then A4 print. */
export const REPORT_CSS = `
:root {
  --ink: #1c2430; --muted: #5d6878; --line: #d9dee5; --paper: #ffffff; --wash: #f4f6f9;
  --brand: #1f3a5f; --accent: #2a7f8f; --warn: #9a5b00; --warn-bg: #fff4e0;
  --c-region: #d08a1e;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; color: var(--ink); background: var(--wash); }
header.cover { background: var(--brand); color: #fff; padding: 28px max(24px, calc(50% - 440px)) 22px; }
header.cover h1 { margin: 0; font-size: 30px; font-weight: 650; letter-spacing: .2px; }
header.cover .org { margin: 0 0 4px; font-size: 14px; text-transform: uppercase; letter-spacing: 1.2px; opacity: .85; }
header.cover .subtitle { margin: 4px 0 0; font-size: 16px; opacity: .92; }
header.cover .meta { margin: 10px 0 0; font-size: 13px; opacity: .75; }
main { max-width: 880px; margin: 0 auto; padding: 8px 24px 24px; }
section { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px; margin: 18px 0; }
h2 { margin: 0 0 10px; font-size: 20px; color: var(--brand); border-bottom: 2px solid var(--accent); padding-bottom: 4px; }
h3 { margin: 0 0 6px; font-size: 16px; }
p { margin: 6px 0; }
code { font: 13px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; word-break: break-all; }
.muted { color: var(--muted); font-weight: normal; }
.nowrap { white-space: nowrap; }
.note { font-size: 13px; color: var(--muted); }
.banner { display: block; margin: 18px 0 0; padding: 12px 16px; border-radius: 8px; border: 1px solid #e5c07b; background: var(--warn-bg); color: var(--warn); }
.cards { display: grid; grid-template-columns: 1fr; gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; background: #fbfcfd; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 8px 0; }
dt { color: var(--muted); font-size: 13px; padding-top: 1px; }
dd { margin: 0; overflow-wrap: anywhere; }
dd ul { margin: 0; padding-left: 18px; }
ul.roots { list-style: none; padding: 0; margin: 6px 0 12px; }
ul.roots li { padding: 3px 0; }
.tag { display: inline-block; font-size: 11px; text-transform: uppercase; letter-spacing: .6px; color: var(--accent); border: 1px solid var(--accent); border-radius: 3px; padding: 0 5px; vertical-align: 1px; }
.tiles { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin: 10px 0; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: #fbfcfd; }
.tile .value { display: block; font-size: 22px; font-weight: 650; color: var(--brand); }
.tile .label { display: block; font-size: 12.5px; color: var(--muted); }
.tile[data-tile="reported"] { border-color: var(--accent); }
.coverage { font-size: 14px; }
table { width: 100%; border-collapse: collapse; font-size: 13.5px; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--wash); font-weight: 600; color: var(--muted); font-size: 12.5px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.summary-grid { display: grid; grid-template-columns: auto 1fr; gap: 18px; align-items: start; }
figure { margin: 0; }
figure.chart figcaption { font-size: 12px; color: var(--muted); }
.chart-label { font-size: 13px; fill: var(--ink); }
.chart-value { font-size: 13px; font-weight: 600; fill: var(--ink); }
.chart-track { fill: var(--wash); }
.category-card { border-top: 1px solid var(--line); padding: 10px 0 4px; }
.category-card h3 { display: flex; align-items: center; gap: 8px; }
.dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%; }
.value-chip { display: inline-block; background: var(--wash); border: 1px solid var(--line); border-radius: 12px; padding: 0 9px; margin: 2px 2px; font-size: 13px; }
dl.policy { font-size: 14px; }
details { margin: 8px 0; }
details > summary { cursor: pointer; padding: 6px 4px; font-weight: 600; }
details.source { border: 1px solid var(--line); border-radius: 6px; padding: 2px 12px 8px; }
details.source > summary { font-weight: 600; }
article.item { border-top: 1px solid var(--line); padding: 10px 0 6px; break-inside: avoid-page; }
article.item h3.where { font-size: 14px; font-weight: 600; margin-bottom: 4px; }
.step { background: var(--wash); border-radius: 3px; padding: 0 5px; font-size: 13px; }
.sep { color: var(--muted); }
.cat { display: inline-block; color: #fff; border-radius: 3px; padding: 0 6px; font-size: 12px; }
.evidence { font-size: 12px; color: var(--muted); margin-left: 6px; }
.kept { margin: 4px 0 8px; padding: 6px 10px; background: #eef3fb; border-left: 3px solid #3a6ea5; font-size: 13.5px; }
td.value { font-weight: 600; white-space: nowrap; }
td.loc { color: var(--muted); font-size: 12.5px; min-width: 6em; max-width: 13em; }
td.context { color: #303a48; overflow-wrap: anywhere; }
.cell-sep { color: var(--muted); }
mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.regions { display: flex; flex-wrap: wrap; gap: 14px; margin: 6px 0; }
figure.region { display: flex; gap: 10px; align-items: center; font-size: 13px; }
figure.region .photo { fill: #e8edf3; stroke: #9aa6b5; }
figure.region .face { fill: rgba(208, 138, 30, .25); stroke: var(--c-region); stroke-width: 2; }
#rights ul { padding-left: 20px; }
footer { max-width: 880px; margin: 0 auto; padding: 6px 24px 28px; display: flex; justify-content: space-between; color: var(--muted); font-size: 12px; }
.empty { font-style: italic; }
@media (max-width: 640px) { .tiles { grid-template-columns: repeat(2, 1fr); } .summary-grid { grid-template-columns: 1fr; } }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  header.cover { padding: 14mm 0 8mm; background: #fff; color: var(--brand); border-bottom: 3px solid var(--brand); }
  main, footer { max-width: none; padding: 0; }
  section { border: none; padding: 0; margin: 8mm 0 0; break-inside: auto; }
  h2 { break-after: avoid-page; }
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; }
  details.source { border: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
}
`;

/** Each detector's colour (DetectorMeta.color) for its bar in the chart, its dot and its tags. */
export function categoryCss(registry: DetectorRegistry): string {
  return registry.list
    .map((d) => `.bar-${d.meta.id} { fill: ${d.meta.color}; background: ${d.meta.color}; }\n`)
    .join('');
}
