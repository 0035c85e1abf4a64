import { describe, expect, it } from 'vitest';
import { nfcView } from '../../src/match/nfc-view.js';

describe('NFC view of a text in another normal form', () => {
  it('is none for text in NFC already', () => {
    expect(nfcView('Søren Østergård')).toBeUndefined();
    expect(nfcView('plain ascii')).toBeUndefined();
  });

  it('maps places in the NFC form back to whole characters of the decomposed text', () => {
    const own = 'Hej Søren Østergård, café'.normalize('NFD');
    const view = nfcView(own)!;
    expect(view.nfc).toBe('Hej Søren Østergård, café');
    const at = (s: string) => [view.nfc.indexOf(s), view.nfc.indexOf(s) + s.length] as const;
    const [start, end] = view.toOwnForm(...at('Østergård'));
    expect(own.slice(start, end)).toBe('Østerga\u030ard');
    expect(own.slice(...view.toOwnForm(...at('å')))).toBe('a\u030a');
    expect(own.slice(...view.toOwnForm(...at('café')))).toBe('cafe\u0301');
    expect(own.slice(...view.toOwnForm(...at('Hej')))).toBe('Hej');
  });

  it('maps marks with no base letter and astral characters', () => {
    const own = '\u0301x 😀 A\u030a\u0301';
    const view = nfcView(own)!;
    expect(view.nfc).toBe(own.normalize('NFC'));
    const last = view.nfc.length - 1;
    expect(own.slice(...view.toOwnForm(last, last + 1))).toBe('A\u030a\u0301');
    expect(own.slice(...view.toOwnForm(0, 1))).toBe('\u0301');
  });
});
