import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanFile } from '../../src/core/types.js';
import { approvePlan, buildPlan, writePlan } from '../../src/erase/plan.js';
import { CLI, tempTree } from '../helpers/cli.js';
import { mboxOf, message, readJson, writeScan } from '../helpers/erase.js';

const WRITER = join(import.meta.dirname, '../helpers/mbox-writer.mjs');
const SUBJECT_MESSAGE = message('subject@example.dk', 'soren.ostergard@example.dk', 'CPR 150387-1236');
const FILLER = 600;

function run(
  cmd: string,
  args: string[],
): { done: Promise<{ code: number; stdout: string; stderr: string }> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return {
    done: new Promise((resolve) =>
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
    ),
  };
}

/** An mbox of FILLER messages of other people with the subject's message in the middle, and its approved plan. */
async function mboxAndPlan(): Promise<{ dir: string; mbox: string; planPath: string }> {
  const messages = Array.from({ length: FILLER }, (_, n) =>
    message(`f${n}@firma.dk`, 'jens@firma.dk', `Filler ${n}: frokost kl. 12?`),
  );
  messages.splice(FILLER / 2, 0, SUBJECT_MESSAGE);
  const { data, ranges } = mboxOf(messages);
  const dir = tempTree({ 'tree/mail/inbox': data });
  const mbox = join(dir, 'tree/mail/inbox');
  chmodSync(mbox, 0o600);
  const scanPath = writeScan(
    dir,
    [join(dir, 'tree')],
    [
      {
        path: mbox,
        itemPath: ['message <subject@example.dk>'],
        format: 'eml',
        message: {
          kind: 'mbox',
          itemPath: ['message <subject@example.dk>'],
          fingerprint: ranges[FILLER / 2],
        },
      },
    ],
  );
  const planPath = join(dir, 'plan.json');
  await writePlan(planPath, approvePlan(buildPlan(readJson<ScanFile>(scanPath), undefined, {}), 'Test DPO'));
  return { dir, mbox, planPath };
}

function countIds(text: string, re: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(re)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return counts;
}

describe('an mbox appended to by another writer while dsr erase rewrites it', () => {
  it.each(['fcntl', 'dotlock', 'both'])(
    'a writer that takes %s lock(s): every delivered message is there once, the subject message is gone',
    async (style) => {
      for (let round = 0; round < 3; round++) {
        const { dir, mbox, planPath } = await mboxAndPlan();
        const stop = join(dir, 'stop');
        const writer = run(process.execPath, [WRITER, style, mbox, '6000', stop]);
        // Let deliveries get going, so the erase runs in the middle of them.
        await new Promise((r) => setTimeout(r, 200));
        const erase = await run(process.execPath, [CLI, 'erase', planPath, '--execute']).done;
        writeFileSync(stop, '');
        const delivered = Number((await writer.done).stdout.trim());
        expect(erase.stderr).toBe('');
        expect(erase.stdout).toMatch(/\bdone\s+remove-mbox-message/);
        expect(erase.code).toBe(0);
        expect(delivered).toBeGreaterThan(0);
        const text = readFileSync(mbox, 'latin1');
        const writes = countIds(text, /^Message-ID: <w(\d+)@writer>$/gm);
        const missing = Array.from({ length: delivered }, (_, n) => String(n + 1)).filter(
          (id) => writes.get(id) !== 1,
        );
        expect({ round, missing }).toEqual({ round, missing: [] });
        expect(writes.size).toBe(delivered);
        const filler = countIds(text, /^Message-ID: <f(\d+)@firma\.dk>$/gm);
        expect([filler.size, [...filler.values()].every((n) => n === 1)]).toEqual([FILLER, true]);
        expect(text).not.toContain('subject@example.dk');
        // Every message starts on a line of its own: nothing was cut or interleaved.
        expect(text.split(/^From /m).length - 1).toBe(FILLER + delivered);
      }
    },
    60_000,
  );
});
