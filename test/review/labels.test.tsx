import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewLangFrom, setReviewLang } from '../../cli/review/labels.js';
import { ReviewApp } from '../../cli/review/ReviewApp.js';
import { buildIndex } from '../../cli/review/scan-index.js';
import { sampleScan } from '../helpers/make-scan.js';

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
