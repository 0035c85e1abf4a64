/**
 * A text in its NFC form (as the extractors hand it to the detectors), with the way back to the text's
 * own form: a file written on a Mac holds `Østerga\u030Ard` (NFD), which the detectors know only as
 * `Østergård`. Places found in the NFC form map back to whole characters of the original (a letter
 * with all its combining marks), so that a redaction replaces exactly those and nothing else.
 */
export interface NfcView {
  nfc: string;
  /** The original's `[start, end)` for the NFC form's `[start, end)`, widened to whole characters. */
  toOwnForm(start: number, end: number): [number, number];
}

/** A base character with the combining marks after it (or marks with no base, at the start). */
const CHARACTER = /\P{M}\p{M}*|\p{M}+/gsu;
/** Below U+0300 every character is its own NFC form (combining marks and Hangul start above). */
const MAY_COMPOSE = /[\u0300-\uffff]/;

/**
 * The NFC view of `text`, or undefined when the text is in NFC already (or composes across
 * characters in a way this cannot map, e.g. Hangul jamo: the text is then searched as it is).
 */
export function nfcView(text: string): NfcView | undefined {
  if (!MAY_COMPOSE.test(text)) return undefined;
  const whole = text.normalize('NFC');
  if (whole === text) return undefined;
  const ownStarts: number[] = [];
  const nfcStarts: number[] = [];
  let nfc = '';
  for (const m of text.matchAll(CHARACTER)) {
    ownStarts.push(m.index);
    nfcStarts.push(nfc.length);
    nfc += m[0].normalize('NFC');
  }
  if (nfc !== whole) return undefined;
  ownStarts.push(text.length);
  nfcStarts.push(nfc.length);
  /** The character whose NFC form holds NFC offset `at`. */
  const characterAt = (at: number): number => {
    let lo = 0;
    let hi = nfcStarts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (nfcStarts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    nfc,
    toOwnForm: (start, end) => {
      if (end <= start) {
        const at = ownStarts[characterAt(start)];
        return [at, at];
      }
      return [ownStarts[characterAt(start)], ownStarts[characterAt(end - 1) + 1]];
    },
  };
}
