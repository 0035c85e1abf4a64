import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildDetailDoc, visibleLines } from '../../cli/review/detail-doc.js';
import { FacetPicker } from '../../cli/review/FacetPicker.js';
import { reviewLangFrom, setReviewLang } from '../../cli/review/labels.js';
import { openItem } from '../../cli/review/open-item.js';
import { erasurePlanner } from '../../cli/review/planner.js';
import { ReviewApp } from '../../cli/review/ReviewApp.js';
import { StatusLine } from '../../cli/review/StatusLine.js';
import { buildIndex } from '../../cli/review/scan-index.js';
import { initialsOf } from '../../cli/review/state.js';
import { makeScan, sampleScan } from '../helpers/make-scan.js';

const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));
afterEach(() => setReviewLang('en'));

describe('the review screen in Danish', () => {
  it('follows --lang, else a Danish LANG or LC_ALL', () => {
    expect(reviewLangFrom('da', { LANG: 'en_GB.UTF-8' })).toBe('da');
    expect(reviewLangFrom('en', { LANG: 'da_DK.UTF-8' })).toBe('en');
    expect(reviewLangFrom(undefined, { LANG: 'da_DK.UTF-8' })).toBe('da');
    expect(reviewLangFrom(undefined, { LC_ALL: 'da_DK', LANG: 'C' })).toBe('da');
    expect(reviewLangFrom(undefined, { LANG: 'C.UTF-8' })).toBe('en');
  });

  it('shows Danish labels in the header, list, detail pane, status line and help', async () => {
    setReviewLang('da');
    const r = render(
      <ReviewApp
        index={buildIndex(sampleScan())}
        review={{ decisions: {} }}
        reviewer="anna"
        width={100}
        height={30}
        onSave={async () => 'x'}
        onExit={() => {}}
      />,
    );
    await tick();
    const frame = r.lastFrame() ?? '';
    for (const word of [
      'søgt i:',
      'bekræftet',
      'mulig',
      'navnefælle',
      'afgjort 0/6',
      'uafgjort',
      '── detaljer (Tab for at vælge)',
      'afgørelse: uafgjort',
      'fund om personen',
      'tryk ? for taster',
      '? hjælp',
    ])
      expect(frame).toContain(word);
    for (const word of ['roots:', 'decided', 'findings of the subject', 'press ? for keys'])
      expect(frame).not.toContain(word);
    r.stdin.write('?');
    await tick();
    expect(r.lastFrame()).toContain('── taster');
    expect(r.lastFrame()).toContain('medtag: personens data, rapporteres og slettes');
    r.unmount();
  });
});

describe('every row of the detail pane in Danish', () => {
  /** One item of each kind of row: a decision with a note, others counted and listed, a message's others, OCR, a face region, header, sheet and page fields, an mbox fingerprint. */
  const scan = makeScan([
    {
      id: 'm1',
      rel: 'mail/inbox.mbox',
      evidence: 'namesake',
      detectors: ['name', 'email'],
      itemPath: ['message <a@b>'],
      others: { cpr: 2, email: 1 },
      findings: [
        { detector: 'email', location: { field: 'header:From', line: 1, column: 1, offset: 0 } },
        { detector: 'cpr', subject: false, value: '010190-1234', context: 'CPR 010190-1234 her' },
      ],
    },
    {
      id: 'd1',
      rel: 'docs/regnskab.xlsx',
      evidence: 'confirmed',
      detectors: ['cpr', 'phone'],
      others: { phone: 3 },
      findings: [
        { detector: 'name', location: { field: 'sheet Udlæg', line: 2, column: 1, offset: 0 } },
        { detector: 'name', location: { field: 'page 2', page: 2, line: 1, column: 1, offset: 0 } },
        {
          detector: 'cpr',
          location: {
            field: 'ocr',
            page: 1,
            line: 1,
            column: 1,
            offset: 0,
            box: { x: 10, y: 20, w: 30, h: 40 },
          },
        },
        {
          detector: 'face',
          location: { field: 'XMP-mwg-rs RegionList[1]', region: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } },
        },
      ],
    },
  ]);
  scan.items[0].messageOthers = { phone: 1 };
  scan.items[0].fingerprint = { offset: 120, length: 900, sha256: 'cd'.repeat(32) };
  scan.items[1].fingerprint = {};
  const decision = {
    decision: 'keep' as const,
    by: 'anna',
    at: '2026-02-03T04:05:06.000Z',
    note: 'bogføringsloven',
  };
  const text = (id: string) => {
    // Built in the language set: an item's place inside its file is said in it.
    const index = buildIndex(scan);
    const item = index.items.find((i) => i.record.id === id)!;
    const doc = buildDetailDoc(index, item, id === 'm1' ? decision : undefined, 100);
    return visibleLines(doc, 0, doc.total)
      .map((l) => l.map((s) => s.text).join(''))
      .join('\n');
  };

  it('has no English label word left under --lang da', () => {
    setReviewLang('da');
    const shown = `${text('m1')}\n${text('d1')}`;
    for (const word of [
      'behold',
      'af anna den 2026-02-03',
      'postkasse',
      'mappe',
      'afsenderfeltet',
      'arket Udlæg',
      'side 2',
      'læst med tekstgenkendelse',
      'mail/inbox.mbox › e-mail <a@b>',
      'ved x 10 y 20 (30×40 pixel)',
      'ansigtsområde x 0.10',
      'andre personers oplysninger i elementet',
      'andre steder i e-mailen',
      'telefon 1',
      'position 120+900',
      'intet fingeraftryk',
      'søgt',
      'element m1',
      'navnefælle',
      'bekræftet',
    ])
      expect(shown).toContain(word);
    const english =
      /\b(keep|include|exclude|confirmed|namesake|possible|folder|mailbox|archive|by|at|item|page|line|sheet|header|modified|offset|fingerprint|scanned|findings|subject|other|people|identifiers|elsewhere|message|removed|face|region|read|OCR from|scan with|name|phone|decision|undecided)\b/i;
    // The location of the item (a path) and the CPR/e-mail labels are names, not words.
    for (const line of shown.split('\n'))
      if (!line.startsWith('/srv/share')) expect(line).not.toMatch(english);
  });

  it('keeps the English words under --lang en', () => {
    setReviewLang('en');
    const shown = `${text('m1')}\n${text('d1')}`;
    for (const word of [
      'keep',
      ' by anna at ',
      'mailbox',
      'header:From',
      'sheet Udlæg',
      'page 2',
      'offset 120+900',
    ])
      expect(shown).toContain(word);
  });
});

describe('the filter menu and prompts in Danish', () => {
  it('names the facets, the filter and the quit question in Danish', () => {
    setReviewLang('da');
    const menu = render(
      <FacetPicker
        facets={['all', 'undecided', 'possible', 'namesake', 'confirmed', 'cpr']}
        cursor={0}
        current="all"
        counts={{}}
        width={100}
        height={10}
      />,
    );
    const shown = menu.lastFrame() ?? '';
    menu.unmount();
    for (const word of [
      'alle elementer',
      'uafgjorte elementer',
      'niveau: mulig',
      'CPR-nummer',
      '(valgt)',
      'Enter vælger',
    ])
      expect(shown).toContain(word);
    expect(shown).not.toMatch(/\b(all items|evidence|current|apply|cancel)\b/);
    const ask = render(<StatusLine status="" askQuit={{ unsaved: 2 }} where="" width={120} />);
    expect(ask.lastFrame()).toContain('Gem 2 ikke-gemte ændring(er) før du afslutter?');
    ask.unmount();
    const filter = render(<StatusLine status="" filterDraft="hr" matches={3} where="" width={120} />);
    expect(filter.lastFrame()).toContain('3 elementer · Enter beholder filtret');
    filter.unmount();
  });
});

describe('the status messages, open, help and plan dialog in Danish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsr-review-da-'));
  const env = { PAGER: process.env.PAGER, EDITOR: process.env.EDITOR, VISUAL: process.env.VISUAL };
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  /** English words of the messages: none may be left on the Danish screen (paths aside). */
  const english =
    /\b(saved|decisions?|nothing|undo|undid|approved|sealed|ended|exit|include|exclude|keep|namesake|confirmed|undecided|written|WARNING|erase|items?|failed|building|sealing|saving|press|keys|move|focus|toggle|quit|delete|redact|message|subject|initials|type|approve|cancels|open|inside|could|start)\b/i;

  it('says save, undo, open, help and the plan in Danish, with no English message word left', async () => {
    process.env.PAGER = 'true';
    delete process.env.VISUAL;
    process.env.EDITOR = 'true';
    setReviewLang('da');
    const scan = sampleScan();
    const reviewPath = join(dir, 'scan.review.json');
    const planPath = join(dir, 'scan.plan.json');
    const r = render(
      <ReviewApp
        index={buildIndex(scan)}
        review={{ decisions: {} }}
        reviewer="anna"
        width={200}
        height={40}
        onSave={async () => reviewPath}
        onExit={() => {}}
        planner={erasurePlanner({ scan, planPath, approvedBy: 'anna' })}
        open={(item, findings, how) => openItem(item.record, findings, how)}
      />,
    );
    const status = () => (r.lastFrame() ?? '').split('\n').at(-1) ?? '';
    const press = async (keys: string) => {
      r.stdin.write(keys);
      await tick();
    };
    const shown: string[] = [];
    await press('u');
    expect(status()).toContain('intet at fortryde');
    shown.push(status());
    await press('o');
    expect(status()).toContain('true sluttede');
    shown.push(status());
    await press('?');
    const help = r.lastFrame() ?? '';
    expect(help).toContain('fortryd seneste afgørelse');
    expect(help).toContain('åbn elementet i $PAGER');
    shown.push(...help.split('\n').slice(0, -1));
    await press('?');
    await press('i');
    expect(status()).toContain('medtag ');
    await press('s');
    expect(status()).toContain(`gemte 1 afgørelse i ${reviewPath}`);
    shown.push(status().replace(reviewPath, ''));
    await press('p');
    const dialog = r.lastFrame() ?? '';
    for (const text of [
      'sletteplan:',
      'afgørelser: medtag 1 · udelad 0 · navnefælle 0 · behold 0 · bekræftede uafgjorte',
      'overstreg i tekst',
      'manuelt',
      'e-mail <a@example.dk>',
      `skrives til ${planPath}`,
      'Skriv personens initialer',
      'planen er lavet',
    ])
      expect(dialog).toContain(text);
    // Each action's line names its file: the words checked are the rest. A manual action's reason
    // is the plan's own (src/erase), written into the plan file in English.
    shown.push(
      ...dialog
        .split('\n')
        .map((l) => l.replace(/ — .*$/, '').replace(/\S*\/\S*|\S+\.(txt|mbox|zip)\b/g, '')),
    );
    await press('XX\r');
    expect(status()).toContain('det er ikke personens initialer; prøv igen');
    shown.push(status());
    await press(`${initialsOf(scan.subject.name)}\r`);
    await tick(300);
    expect(status()).toContain(`planen er godkendt og forseglet: ${planPath} (afgørelserne er gemt)`);
    shown.push(status().replace(planPath, ''));
    r.unmount();
    for (const line of shown) expect(line).not.toMatch(english);
  });

  it('keeps the English messages under --lang en', async () => {
    setReviewLang('en');
    const r = render(
      <ReviewApp
        index={buildIndex(sampleScan())}
        review={{ decisions: {} }}
        reviewer="anna"
        width={200}
        height={40}
        onSave={async () => '/x/scan.review.json'}
        onExit={() => {}}
      />,
    );
    r.stdin.write('u');
    await tick();
    expect(r.lastFrame()).toContain('nothing to undo');
    r.stdin.write('s');
    await tick();
    expect(r.lastFrame()).toContain('saved 0 decisions to /x/scan.review.json');
    r.unmount();
  });
});
