import type { AddressObject, EmailAddress, ParsedMail } from 'mailparser';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { replaceInText } from '../erase/actions/redact-text.js';
import type { SubjectSpan } from '../erase/identifiers.js';
import { ActionSkipped } from '../erase/safety.js';
import { viewItem } from '../erase/verify.js';
import { formatForName } from '../extract/registry.js';
import {
  cannotMask,
  type MaskContext,
  maskText,
  maskWritten,
  othersFinder,
  type PartLeftOut,
} from './mask-text.js';

const PARSE_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  keepCidLinks: true,
} as const;

/**
 * A mail message rewritten for an export: a new MIME message with the original's address headers,
 * subject, date and ids, its text and HTML bodies and its attachments, in which other people's CPR
 * numbers, e-mail addresses and phone numbers are masked (display names stay as written) and the
 * subject's kept. An attachment with no identifier of anyone else goes in as it is; a text, JSON or
 * HTML attachment is masked like a file; an attached message is rewritten the same way; any other
 * attachment is left out and listed. Header fields other than those (Received, DKIM-Signature, X-…)
 * are not carried over: they hold servers' and other people's addresses.
 */
export async function maskMessage(
  raw: Buffer,
  ctx: MaskContext,
  depth = 0,
): Promise<{ data: Buffer; spans: SubjectSpan[]; leftOut: PartLeftOut[] }> {
  const { simpleParser } = await import('mailparser');
  const parsed: ParsedMail = await simpleParser(raw, PARSE_OPTIONS);
  const spans: SubjectSpan[] = [];
  const leftOut: PartLeftOut[] = [];
  const find = othersFinder(ctx.subject);
  const mask = (text: string, structured = false): string => {
    const r = replaceInText(text, undefined, (t, s) => find(t, s || structured), maskWritten);
    spans.push(...r.spans);
    return r.text;
  };
  const maskHtml = (html: string): string => {
    const r = replaceInText(html, 'html', find, maskWritten);
    spans.push(...r.spans);
    return r.text;
  };
  const people = (obj: AddressObject | AddressObject[] | undefined): Mail.Address[] | undefined => {
    const out: Mail.Address[] = [];
    const add = (a: EmailAddress) => {
      if (a.group) for (const g of a.group) add(g);
      else if (a.address) out.push({ name: mask(a.name ?? '', true), address: mask(a.address, true) });
    };
    for (const o of obj ? (Array.isArray(obj) ? obj : [obj]) : []) for (const a of o.value) add(a);
    return out.length ? out : undefined;
  };
  const sender = parsed.headers.get('sender');

  const attachments: Mail.Attachment[] = [];
  for (const [n, att] of parsed.attachments.entries()) {
    const name = att.filename ?? `attachment-${n + 1}`;
    const base = {
      filename: att.filename,
      contentType: att.contentType,
      ...(att.cid ? { cid: att.cid } : {}),
      ...(att.contentDisposition === 'inline' ? { contentDisposition: 'inline' as const } : {}),
    };
    if (att.contentType === 'message/rfc822' && depth < ctx.limits.maxDepth) {
      const inner = await maskMessage(att.content, ctx, depth + 1);
      spans.push(...inner.spans);
      for (const l of inner.leftOut)
        leftOut.push({ part: `attachment ${name} › ${l.part}`, reason: l.reason });
      attachments.push({ ...base, content: inner.data });
      continue;
    }
    const view = await viewItem({ path: name, data: att.content }, ctx.subject);
    if (!view.others.length && !view.errors) {
      attachments.push({ ...base, content: att.content });
      continue;
    }
    const format = formatForName(name)?.id ?? (att.contentType.startsWith('text/') ? 'text' : undefined);
    const why =
      att.contentType === 'message/rfc822'
        ? `an attached message nested deeper than ${ctx.limits.maxDepth} levels is not rewritten`
        : cannotMask(format, name);
    if (why) {
      leftOut.push({
        part: `attachment ${name}`,
        reason: view.others.length ? why : 'it could not be read in full',
      });
      continue;
    }
    try {
      const masked = maskText(att.content, format, ctx.subject);
      spans.push(...masked.spans);
      attachments.push({ ...base, content: masked.data });
    } catch (err) {
      const reason = err instanceof ActionSkipped ? err.message : String(err);
      leftOut.push({ part: `attachment ${name}`, reason: `it could not be masked (${reason})` });
    }
  }

  const references = parsed.references
    ? (Array.isArray(parsed.references) ? parsed.references : [parsed.references]).map((r) => mask(r, true))
    : undefined;
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer/index.js');
  const composer = new MailComposer({
    from: people(parsed.from)?.[0],
    sender:
      sender && typeof sender === 'object' && 'value' in sender
        ? people(sender as AddressObject)?.[0]
        : undefined,
    replyTo: people(parsed.replyTo),
    to: people(parsed.to),
    cc: people(parsed.cc),
    bcc: people(parsed.bcc),
    subject: parsed.subject !== undefined ? mask(parsed.subject) : undefined,
    date: parsed.date,
    messageId: parsed.messageId ? mask(parsed.messageId, true) : undefined,
    inReplyTo: parsed.inReplyTo ? mask(parsed.inReplyTo, true) : undefined,
    references,
    text: parsed.text !== undefined ? mask(parsed.text) : undefined,
    html: typeof parsed.html === 'string' ? maskHtml(parsed.html) : undefined,
    attachments,
  });
  return { data: await composer.compile().build(), spans, leftOut };
}
