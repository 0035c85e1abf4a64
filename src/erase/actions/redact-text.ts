import { fsPath } from '../../core/raw-path.js';
import type { DetectorId } from '../../core/types.js';
import { detectEncoding, type TextEncoding } from '../../extract/text/decode.js';
import { decodeWindows1252, encodeWindows1252 } from '../../extract/text/windows-1252.js';
import { tempPathBeside } from '../../io/atomic-write.js';
import { findSubjectSpans, type SpanFinder, type SubjectSpan } from '../identifiers.js';
import type { RedactTextAction } from '../plan.js';
import { replaceFile } from '../rewrite.js';
import {
  ActionSkipped,
  assertUnchanged,
  checkFileFingerprint,
  checkPlace,
  openTarget,
  readRange,
  rewrittenEarlier,
} from '../safety.js';
import { erasureProblem, viewItem } from '../verify.js';
import { redactHtml } from './redact-html.js';
import type { ActionContext, Outcome } from './types.js';

/** Largest file redacted (it is held in memory, twice). */
const MAX_REDACT_BYTES = 64 * 1024 * 1024;

export function placeholder(detector: DetectorId): string {
  return `[REDACTED-${detector.toUpperCase()}]`;
}

/**
 * Replaces the subject's identifiers in a plain-text file (txt, csv, json, md, html, log) with
 * placeholders and writes it back in its own encoding, BOM and line endings. The values are found
 * again in the raw file (the scan's offsets are in decoded, normalised, extracted text), after the
 * fingerprint check proved the file is the one that was scanned.
 */
export async function redactText(action: RedactTextAction, ctx: ActionContext): Promise<Outcome> {
  const unfinished = ctx.execute ? ctx.journal.unfinished(action.id) : [];
  await checkPlace(action.path, ctx.plan.roots);
  const t = await openTarget(action.path);
  let bytes: Buffer;
  try {
    const earlier = await rewrittenEarlier(t, unfinished);
    if (earlier) {
      const check = await verifyOnDisk(action.path, ctx);
      return check
        ? { result: 'failed', reason: check }
        : {
            result: 'done',
            reason: 'redacted by an earlier, interrupted run',
            after: earlier,
          };
    }
    await checkFileFingerprint(t, action.fingerprint);
    if (t.size > MAX_REDACT_BYTES)
      throw new ActionSkipped('refused', `larger than ${MAX_REDACT_BYTES} bytes; redact by hand`);
    bytes = await readRange(t.fh, 0, t.size);
    const redaction = redactBytes(bytes, action.format, ctx);
    const before = await viewItem({ path: action.path, data: bytes }, ctx.subject);
    const after = await viewItem({ path: action.path, data: redaction.bytes }, ctx.subject);
    const problem = erasureProblem(before, after);
    if (problem)
      throw new ActionSkipped('refused', `redaction cannot be done safely: ${problem}; redact by hand`);
    const summary = `${redaction.spans.length} span(s) (${countByDetector(redaction.spans)})`;
    if (!ctx.execute) return { result: 'would', reason: `would redact ${summary}` };
    const temp = tempPathBeside(action.path);
    await ctx.journal.write(action.id, 'intent', { temp });
    await ctx.hook('action:intent-written');
    const written = await replaceFile(
      action.path,
      temp,
      t,
      ctx.hook,
      async (out) => {
        await out.write(redaction.bytes);
      },
      async ({ sha256, size }) => {
        await assertUnchanged(t, action.fingerprint);
        await ctx.journal.write(action.id, 'prepared', { temp, newSha256: sha256, newSize: size });
      },
    );
    const check = await verifyOnDisk(action.path, ctx, redaction.bytes);
    if (check) return { result: 'failed', reason: check, after: written };
    return { result: 'done', reason: `redacted ${summary}`, after: written };
  } finally {
    await t.fh.close();
  }
}

/** Re-scan of the file as written: the subject gone, and the bytes exactly the planned redaction. */
async function verifyOnDisk(
  path: string,
  ctx: ActionContext,
  expected?: Buffer,
): Promise<string | undefined> {
  if (expected) {
    const { readFile } = await import('node:fs/promises');
    const now = await readFile(fsPath(path));
    if (!now.equals(expected))
      return 'the file on disk is not the redacted content (changed during the run?)';
  }
  const view = await viewItem({ path }, ctx.subject);
  if (view.subject.length) return `a re-scan still finds ${view.subject.length} finding(s) of the subject`;
  return undefined;
}

function countByDetector(spans: SubjectSpan[]): string {
  const m = new Map<string, number>();
  for (const s of spans) m.set(s.detector, (m.get(s.detector) ?? 0) + 1);
  return [...m].map(([d, n]) => `${d} ${n}`).join(', ');
}

export function redactBytes(
  bytes: Buffer,
  format: string | undefined,
  ctx: Pick<ActionContext, 'subject'>,
): { bytes: Buffer; spans: SubjectSpan[] } {
  const codec = textCodec(bytes);
  const r = replaceInText(
    codec.text,
    format,
    (text, structured) => findSubjectSpans(text, ctx.subject, structured),
    (s) => placeholder(s.detector),
  );
  if (!r.spans.length)
    throw new ActionSkipped(
      'refused',
      "none of the subject's identifiers were found in the raw file; redact by hand",
    );
  if (r.problem) throw new ActionSkipped('refused', `${r.problem}; redact by hand`);
  return { bytes: codec.encode(r.text), spans: r.spans };
}

/** What takes the place of a span: gets the span and the value as written in the text. */
export type Replacement = (s: SubjectSpan, written: string) => string;

/**
 * Replaces the spans `find` finds in the decoded text of a text, JSON or HTML file (see redactHtml):
 * JSON string values written with escapes are searched decoded, and a bare JSON number replaced by
 * text is quoted when the document would not parse otherwise. `problem` says why the result cannot
 * be used (the JSON would not parse); no spans means nothing was found.
 */
export function replaceInText(
  decoded: string,
  format: string | undefined,
  find: SpanFinder,
  replace: Replacement,
): { text: string; spans: SubjectSpan[]; problem?: string } {
  if (format === 'html') return redactHtml(decoded, find, replace);
  let source = decoded;
  const found: SubjectSpan[] = [];
  if (format === 'json') {
    // Values inside JSON strings may be written with escapes (`S\u00f8ren`): redact decoded string values.
    source = source.replace(/"(?:[^"\\\n]|\\.)*"/g, (token) => {
      let value: string;
      try {
        value = JSON.parse(token) as string;
      } catch {
        return token;
      }
      const inner = find(value);
      if (!inner.length || !token.includes('\\')) return token;
      found.push(...inner);
      return encodeJsonStringLike(token, splice(value, inner, false, replace));
    });
  }
  const spans = find(source);
  found.push(...spans);
  if (!found.length) return { text: decoded, spans: [] };
  let text = splice(source, spans, false, replace);
  if (format === 'json' && parsesAsJson(decoded) && !parsesAsJson(text)) {
    // A bare number (a phone stored as a JSON number) becomes a quoted placeholder string.
    text = splice(source, spans, true, replace);
    if (!parsesAsJson(text)) return { text, spans: found, problem: 'the redacted JSON would not parse' };
  }
  return { text, spans: found };
}

function splice(text: string, spans: SubjectSpan[], quoteBare: boolean, replace: Replacement): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    const bare = quoteBare && /[:,[]\s*$/.test(text.slice(Math.max(0, s.start - 20), s.start));
    const p = replace(s, text.slice(s.start, s.end));
    out += text.slice(at, s.start) + (bare ? `"${p}"` : p);
    at = s.end;
  }
  return out + text.slice(at);
}

/** A JSON string literal for `value`, escaping non-ASCII as `\\uXXXX` when the original token did. */
function encodeJsonStringLike(original: string, value: string): string {
  const plain = JSON.stringify(value);
  if (!/\\u[0-9a-fA-F]{4}/.test(original)) return plain;
  return plain.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    // JSON Lines: every non-empty line a document.
    try {
      for (const line of text.split('\n')) if (line.trim()) JSON.parse(line);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Decodes the file as the text extractor does, and checks that encoding the text again gives the same
 * bytes: a redaction then changes only the bytes of the spans it replaces.
 */
export function textCodec(bytes: Buffer): {
  text: string;
  encoding: TextEncoding;
  encode: (text: string) => Buffer;
} {
  const guess = detectEncoding(bytes.subarray(0, 65536));
  if (guess === 'binary') throw new ActionSkipped('refused', 'the file looks binary; redact by hand');
  const bom = bytes.subarray(0, guess.bom);
  const body = bytes.subarray(guess.bom);
  const text =
    guess.encoding === 'windows-1252'
      ? decodeWindows1252(body)
      : new TextDecoder(guess.encoding, { ignoreBOM: true }).decode(body);
  const encode = (s: string): Buffer => {
    const encoded = encodeAs(guess.encoding, s);
    if (!encoded)
      throw new ActionSkipped('refused', `the new text has characters ${guess.encoding} cannot hold`);
    return Buffer.concat([bom, encoded]);
  };
  if (!encodeAs(guess.encoding, text)?.equals(body))
    throw new ActionSkipped(
      'refused',
      `the file's bytes do not round-trip through ${guess.encoding}; redact by hand`,
    );
  return { text, encoding: guess.encoding, encode };
}

function encodeAs(encoding: TextEncoding, s: string): Buffer | undefined {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(s, 'utf8');
    case 'utf-16le':
      return Buffer.from(s, 'utf16le');
    case 'utf-16be':
      return Buffer.from(s, 'utf16le').swap16();
    default:
      return encodeWindows1252(s);
  }
}
