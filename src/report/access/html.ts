import { type DetectorRegistry, registry as detectors } from '../../../detectors/index.js';
import { displayPath } from '../../core/raw-path.js';
import type { DetectorId } from '../../core/types.js';
import type { CategoryPolicy, ControllerProfile } from './controller.js';
import { localize, STRINGS, type Strings } from './i18n.js';
import type { AccessReport, ReportCategory, ReportFinding, ReportItem, ReportSource } from './model.js';
import { errorText, locationText, stepText } from './place.js';
import { categoryCss, REPORT_CSS } from './style.js';

/** Sources with more items than this start collapsed; a finding table longer than this folds away. */
const OPEN_ITEMS = 40;
const OPEN_FINDINGS = 10;

/**
 * Renders the access report as one self-contained HTML page: inline CSS and SVG, no scripts, no external
 * requests, printable on A4. Every text from the scan (paths, values, contexts from untrusted files) is escaped.
 */
export interface HtmlOptions {
  /** The reader's time zone (IANA name) for every time shown. @default the process's (`TZ`) */
  timeZone?: string;
  /** The detectors whose categories, labels and patterns the report shows. @default dsr's own */
  registry?: DetectorRegistry;
}

export function renderHtml(report: AccessReport, opts: HtmlOptions = {}): string {
  const registry = opts.registry ?? detectors;
  const t = textsOf(report, registry, opts.timeZone);
  const org = report.controller?.organisation.name;
  return `<!doctype html>
<html lang="${t.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dsr">
<title>${esc(t.title)}${org ? ` – ${esc(org)}` : ''}</title>
<style>${REPORT_CSS}${categoryCss(registry)}</style>
</head>
<body>
<header class="cover">
  ${org ? `<p class="org">${esc(org)}</p>` : ''}
  <h1>${esc(t.title)}</h1>
  <p class="subtitle">${esc(t.subtitle)}</p>
  <p class="meta">${esc(t.generated)}: ${esc(t.date(report.generatedAt))}</p>
</header>
<main>
${report.draft ? banner('draft', t.draftTitle, draftText(report, t)) : ''}
${report.scan.interrupted ? banner('interrupted', '', t.interrupted) : ''}
${aboutSection(report, t)}
${searchedSection(report, t)}
${summarySection(report, t)}
${otherCategoriesSection(report, t)}
${itemsSection(report, t)}
${rightsSection(report, t)}
</main>
<footer><span>${esc(t.footer)}</span><span>${esc(t.scanId)}: ${esc(report.scan.scanId)}</span></footer>
</body>
</html>
`;
}

/** The report's sentences and what it says about each detector's values, in the report's language. */
interface Texts extends Strings {
  category(id: DetectorId): string;
  /** Other people's values hidden in the snippets (`e-mail addresses, phone numbers and CPR numbers`). */
  hiddenKinds: string;
  /** A value as people read it. */
  display(id: DetectorId, value: string): string;
  /** Where a value may stand as written in a snippet. */
  written(id: DetectorId, value: string): RegExp;
}

/** The strings, with every time shown in the reader's zone. */
function textsOf(report: AccessReport, registry: DetectorRegistry, timeZone: string | undefined): Texts {
  const lang = report.lang;
  const t = STRINGS[lang];
  return {
    ...t,
    ...(timeZone ? { date: (iso: string) => t.date(iso, timeZone) } : {}),
    category: (id) => registry.label(id, lang).category,
    hiddenKinds: registry.listMany(registry.identifiers, lang),
    display: (id, value) => registry.display(id, value),
    written: (id, value) =>
      registry.get(id)?.written(value) ??
      new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'giu'),
  };
}

/** Why the report is a draft: unreviewed items, no controller profile (no purposes, legal basis, retention). */
function draftText(r: AccessReport, t: Strings): string {
  const { possible, namesake } = r.selection.needsReview;
  return [
    possible + namesake > 0 ? t.draft(r.selection.needsReview) : '',
    r.controller ? '' : t.draftNoController,
  ]
    .filter(Boolean)
    .join(' ');
}

function banner(kind: string, title: string, text: string): string {
  return `<aside class="banner ${kind}" role="note" data-banner="${kind}">${title ? `<strong>${esc(title)}</strong> ` : ''}${esc(text)}</aside>`;
}

function aboutSection(r: AccessReport, t: Texts): string {
  const s = r.subject;
  const f = t.subjectFields;
  const rows: [string, string[]][] = [
    [f.name, s.name ? [s.name] : []],
    [f.aliases, s.aliases ?? []],
    [f.emails, s.emails ?? []],
    [f.phones, s.phones ?? []],
    [f.cpr, s.cpr ?? []],
  ];
  return `<section id="about">
<h2>${esc(t.aboutHeading)}</h2>
<div class="cards">
<div class="card" id="subject">
<h3>${esc(t.aboutYou)}</h3>
<p>${esc(t.subjectIntro)}</p>
<dl>${rows
    .filter(([, v]) => v.length)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v.map(esc).join('<br>')}</dd>`)
    .join('')}</dl>
<p class="note">${esc(t.maskNote(t.hiddenKinds))}</p>
</div>
${r.controller ? controllerCard(r.controller, r, t) : ''}
</div>
</section>`;
}

function controllerCard(c: ControllerProfile, r: AccessReport, t: Texts): string {
  const f = t.controllerFields;
  const loc = (x: Parameters<typeof localize>[0]) => localize(x, r.lang);
  const contact = [loc(c.contact.name), loc(c.contact.role)].filter(Boolean).join(', ');
  const rows: [string, string][] = [
    [f.organisation, c.organisation.name],
    [f.registration, c.organisation.registration ?? ''],
    [f.address, loc(c.organisation.address)],
    [f.email, c.organisation.email ?? ''],
    [f.phone, c.organisation.phone ?? ''],
    [f.website, c.organisation.website ?? ''],
    [
      f.contact,
      [contact, c.contact.email, c.contact.phone ?? '', loc(c.contact.address)].filter(Boolean).join('\n'),
    ],
    [f.authority, c.supervisoryAuthority ? authorityText(c, r) : ''],
    [f.transfers, loc(c.transfers)],
  ];
  return `<div class="card" id="controller">
<h3>${esc(t.controllerHeading)}</h3>
<dl>${rows
    .filter(([, v]) => v)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v).replace(/\n/g, '<br>')}</dd>`)
    .join('')}</dl>
</div>`;
}

function authorityText(c: ControllerProfile, r: AccessReport): string {
  const sa = c.supervisoryAuthority;
  if (!sa) return '';
  return [localize(sa.name, r.lang), sa.url ? `(${sa.url})` : ''].filter(Boolean).join(' ');
}

function searchedSection(r: AccessReport, t: Texts): string {
  const st = r.scan.stats;
  const tiles: [string, string, string][] = [
    ['files', t.counts.files, t.number(st.files)],
    ['items', t.counts.items, t.number(st.items)],
    ['bytes', t.counts.bytes, t.bytes(st.bytes)],
    ['skipped', t.counts.skipped, t.number(st.skipped - r.scan.skippedLinks - r.scan.skippedSpecial)],
    ...(r.scan.skippedLinks
      ? [['links', t.counts.links, t.number(r.scan.skippedLinks)] as [string, string, string]]
      : []),
    ...(r.scan.skippedSpecial
      ? [['special', t.counts.special, t.number(r.scan.skippedSpecial)] as [string, string, string]]
      : []),
    ['errors', t.counts.errors, t.number(r.scan.errors.length)],
    ['reported', t.counts.reported, t.number(r.selection.reported)],
  ];
  const errors = r.scan.errors;
  return `<section id="searched">
<h2>${esc(t.searchedHeading)}</h2>
<p>${esc(t.period)}: <span class="nowrap">${esc(t.date(r.scan.startedAt))}</span> – <span class="nowrap">${esc(t.date(r.scan.finishedAt))}</span></p>
<p>${esc(t.searchedIntro)}</p>
<ul class="roots">${r.scan.roots
    .map(
      (root) =>
        `<li><span class="tag">${esc(t.rootKinds[root.kind])}</span> <code>${esc(root.path)}</code></li>`,
    )
    .join('')}</ul>
<div class="tiles">${tiles
    .map(
      ([key, label, value]) =>
        `<div class="tile" data-tile="${key}"><span class="value" data-count="${key}">${esc(value)}</span><span class="label">${esc(label)}</span></div>`,
    )
    .join('')}</div>
<p class="coverage">${esc(errors.length ? t.coverageSome(errors.length) : t.coverageAll)}</p>
${
  errors.length
    ? `<details class="errors"><summary>${esc(t.errorsSummary(errors.length))}</summary>
<table><thead><tr><th>${esc(t.errorColumns.where)}</th><th>${esc(t.errorColumns.kind)}</th><th>${esc(t.errorColumns.message)}</th></tr></thead>
<tbody>${errors
        .map(
          (e) =>
            `<tr data-error-row><td>${where(e.path, e.itemPath, r.lang)}</td><td>${esc(t.errorKinds[e.kind] ?? e.kind)}</td><td>${esc(errorText(e, r.lang))}</td></tr>`,
        )
        .join('')}</tbody></table></details>`
    : ''
}
</section>`;
}

function summarySection(r: AccessReport, t: Texts): string {
  const cats = r.categories;
  const shown = cats.filter((c) => c.items > 0 || c.policy);
  return `<section id="summary">
<h2>${esc(t.summaryHeading)}</h2>
<p>${esc(t.summaryIntro)}</p>
<div class="summary-grid">
${barChart(cats, t)}
<table class="categories"><thead><tr><th>${esc(t.categoryColumns.category)}</th><th class="num">${esc(t.categoryColumns.items)}</th><th class="num">${esc(t.categoryColumns.findings)}</th></tr></thead>
<tbody>${cats
    .map(
      (c) =>
        `<tr data-category="${c.id}"><td>${esc(t.category(c.id))}</td><td class="num" data-count="category-items">${t.number(c.items)}</td><td class="num" data-count="category-findings">${t.number(c.findings)}</td></tr>`,
    )
    .join('')}</tbody></table>
</div>
${shown.map((c) => categoryCard(c, r, t)).join('\n')}
</section>`;
}

function barChart(cats: ReportCategory[], t: Texts): string {
  const max = Math.max(1, ...cats.map((c) => c.items));
  const rowH = 28;
  const labelW = 150;
  const barW = 230;
  const h = cats.length * rowH + 8;
  const bars = cats
    .map((c, i) => {
      const y = 4 + i * rowH;
      const w = c.items ? Math.max(3, Math.round((c.items / max) * barW)) : 0;
      return `<g><text x="0" y="${y + 18}" class="chart-label">${esc(t.category(c.id))}</text>
<rect x="${labelW}" y="${y + 4}" width="${barW}" height="18" rx="3" class="chart-track"/>
<rect x="${labelW}" y="${y + 4}" width="${w}" height="18" rx="3" class="chart-bar bar-${c.id}"/>
<text x="${labelW + barW + 8}" y="${y + 18}" class="chart-value">${t.number(c.items)}</text></g>`;
    })
    .join('');
  return `<figure class="chart"><svg role="img" aria-label="${esc(t.chartTitle)}" viewBox="0 0 ${labelW + barW + 48} ${h}" width="${labelW + barW + 48}" height="${h}" xmlns="http://www.w3.org/2000/svg"><title>${esc(t.chartTitle)}</title>${bars}</svg><figcaption>${esc(t.chartTitle)}</figcaption></figure>`;
}

function categoryCard(c: ReportCategory, r: AccessReport, t: Texts): string {
  const values = c.values.length
    ? `<p class="values"><span class="muted">${esc(t.categoryColumns.values)}:</span> ${c.values.map((v) => `<span class="value-chip">${esc(t.display(c.id, v))}</span>`).join(' ')}</p>`
    : '';
  const policy = r.controller
    ? c.policy
      ? policyList(c.policy, r, t)
      : `<p class="muted">${esc(t.noPolicy)}</p>`
    : '';
  return `<div class="category-card" data-category-card="${c.id}">
<h3><span class="dot bar-${c.id}"></span>${esc(t.category(c.id))} <span class="muted">· ${esc(t.itemsIn(c.items))}</span></h3>
${values}
${policy}
</div>`;
}

function policyList(p: CategoryPolicy, r: AccessReport, t: Texts): string {
  const loc = (x: Parameters<typeof localize>[0]) => localize(x, r.lang);
  const rows: [string, string[]][] = [
    [t.policy.purposes, p.purposes.map(loc)],
    [t.policy.legalBasis, p.legalBasis.map(loc)],
    [t.policy.retention, [loc(p.retention)]],
    [t.policy.recipients, p.recipients.map(loc)],
    [t.policy.source, p.source ? [loc(p.source)] : []],
  ];
  return `<dl class="policy">${rows
    .filter(([, v]) => v.length)
    .map(
      ([k, v]) =>
        `<dt>${esc(k)}</dt><dd>${v.length > 1 ? `<ul>${v.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : esc(v[0])}</dd>`,
    )
    .join('')}</dl>`;
}

function otherCategoriesSection(r: AccessReport, t: Texts): string {
  const others = Object.entries(r.controller?.categories ?? {}).filter(
    ([key]) => !r.categories.some((c) => c.id === key),
  );
  if (!others.length) return '';
  return `<section id="other-categories">
<h2>${esc(t.otherCategoriesHeading)}</h2>
<p>${esc(t.otherCategoriesIntro)}</p>
${others
  .map(
    ([key, p]) => `<div class="category-card" data-category-card="${esc(key)}">
<h3>${esc(localize(p.label, r.lang) || key)}</h3>
${policyList(p, r, t)}
</div>`,
  )
  .join('\n')}
</section>`;
}

function itemsSection(r: AccessReport, t: Texts): string {
  const byId = new Map(r.items.map((i) => [i.id, i]));
  const open = r.items.length <= OPEN_ITEMS;
  const body = r.items.length
    ? r.sources.map((s) => sourceBlock(s, byId, open, t, r.lang)).join('\n')
    : `<p class="empty">${esc(t.noItems)}</p>`;
  return `<section id="items">
<h2>${esc(t.itemsHeading)}</h2>
<p>${esc(t.itemsIntro)}</p>
${body}
</section>`;
}

function sourceBlock(
  s: ReportSource,
  byId: Map<string, ReportItem>,
  open: boolean,
  t: Texts,
  lang: AccessReport['lang'],
): string {
  const items = s.itemIds.map((id) => byId.get(id)!).filter(Boolean);
  return `<details class="source" data-source${open ? ' open' : ''}>
<summary><span class="tag">${esc(t.sourceKinds[s.kind])}</span> <code>${esc(s.label)}</code> <span class="muted">· ${esc(t.itemsIn(items.length))}</span></summary>
${items.map((item) => itemBlock(item, s, t, lang)).join('\n')}
</details>`;
}

function itemBlock(item: ReportItem, s: ReportSource, t: Texts, lang: AccessReport['lang']): string {
  const tags = item.categories
    .map((c) => `<span class="cat bar-${c}" data-item-category="${c}">${esc(t.category(c))}</span>`)
    .join(' ');
  const status =
    item.decision === 'include'
      ? t.reviewedIncluded
      : item.decision === 'keep'
        ? t.reviewedKept
        : item.evidence === 'confirmed'
          ? t.evidence.confirmed
          : t.evidence[item.evidence];
  const kept = item.keepReason
    ? `\n<p class="kept" data-kept><strong>${esc(t.keptHeading)}</strong> ${esc(item.keepReason)}</p>`
    : '';
  const own = ownValuePattern(item.findings, t);
  const rows = item.findings.map((f) => findingRow(f, t, lang, own)).join('');
  const table = `<table class="findings"><thead><tr><th>${esc(t.findingColumns.category)}</th><th>${esc(t.findingColumns.value)}</th><th>${esc(t.findingColumns.where)}</th><th>${esc(t.findingColumns.context)}</th></tr></thead><tbody>${rows}</tbody></table>`;
  const regions = item.findings.filter((f) => f.location.region);
  return `<article class="item" id="item-${esc(item.id)}" data-item="${esc(item.id)}">
<h3 class="where">${where(item.path, item.itemPath, lang, s.kind === 'folder' ? s.label : undefined)}</h3>
<p class="tags">${tags} <span class="evidence">${esc(status)}</span></p>${kept}
${item.findings.length > OPEN_FINDINGS ? `<details><summary>${esc(t.moreFindings(item.findings.length))}</summary>${table}</details>` : table}
${regions.length ? `<div class="regions">${regions.map((f) => regionFigure(f, t)).join('')}</div>` : ''}
</article>`;
}

function findingRow(f: ReportFinding, t: Texts, lang: AccessReport['lang'], own: RegExp): string {
  return `<tr data-finding="${esc(f.id)}"><td>${esc(t.category(f.category))}</td><td class="value">${esc(t.display(f.category, f.value))}</td><td class="loc">${esc(locationText(f.location, lang))}</td><td class="context">${highlight(f.context, own)}</td></tr>`;
}

/** Draws the photo as a frame and the tagged face as a rectangle in it (region normalised to 0..1). */
function regionFigure(f: ReportFinding, t: Texts): string {
  const r = f.location.region!;
  const W = 160;
  const H = 120;
  const clamp = (v: number) => Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
  const x = clamp(r.x);
  const y = clamp(r.y);
  const w = Math.min(clamp(r.w), 1 - x);
  const h = Math.min(clamp(r.h), 1 - y);
  const n = (v: number) => Math.round(v * 10) / 10;
  return `<figure class="region" data-region><svg role="img" aria-label="${esc(t.region)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">
<rect x="0.5" y="0.5" width="${W - 1}" height="${H - 1}" class="photo"/>
<rect x="${n(x * W)}" y="${n(y * H)}" width="${n(w * W)}" height="${n(h * H)}" class="face"/>
</svg><figcaption>${esc(t.region)}: ${esc(f.value)}<br><span class="muted">${esc(t.regionText({ x, y, w, h }))}</span></figcaption></figure>`;
}

function rightsSection(r: AccessReport, t: Texts): string {
  const authority = r.controller?.supervisoryAuthority ? authorityText(r.controller, r) : t.defaultAuthority;
  const contact = r.controller?.contact.email;
  return `<section id="rights">
<h2>${esc(t.rightsHeading)}</h2>
<ul>${t.rights.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
<p>${esc(t.complaint(authority))}${contact ? ` <a href="mailto:${esc(contact)}">${esc(contact)}</a>` : ''}</p>
</section>`;
}

/** `path › e-mail › vedhæftet fil: x.pdf`, with the folder part dimmed when grouped under it. */
function where(path: string, itemPath: string[], lang: AccessReport['lang'], under?: string): string {
  const shown =
    under && path.startsWith(under) && path.length > under.length
      ? `<span class="muted">${esc(under)}</span>${esc(path.slice(under.length))}`
      : esc(path);
  return [
    `<code>${shown}</code>`,
    ...itemPath.map((s) => `<span class="step">${esc(stepText(s, lang))}</span>`),
  ].join('<span class="sep"> › </span>');
}

/**
 * Escapes the context and marks every value of the subject's in it (all the item's findings, as written),
 * so that the subject sees their own data in full and set apart; line breaks and cells stay apart.
 */
function highlight(context: string, own: RegExp): string {
  let out = '';
  let at = 0;
  for (const m of context.matchAll(own)) {
    if (!m[0]) continue;
    out += `${esc(context.slice(at, m.index))}<mark>${esc(m[0])}</mark>`;
    at = m.index + m[0].length;
  }
  return (out + esc(context.slice(at)))
    .replace(/\t/g, '<span class="cell-sep"> │ </span>')
    .replace(/\n/g, '<br>');
}

/** One pattern for every value of the item's findings, as each detector says its values may be written. */
function ownValuePattern(findings: ReportFinding[], t: Texts): RegExp {
  const alts = [...new Set(findings.map((f) => t.written(f.category, f.value).source))].sort(
    (a, b) => b.length - a.length,
  );
  return new RegExp(alts.length ? alts.join('|') : '(?!)', 'giu');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(s: string): string {
  // A file name's bytes that are not UTF-8 (see raw-path.ts) shown as `\xF8`, not as U+FFFD.
  return displayPath(String(s)).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
