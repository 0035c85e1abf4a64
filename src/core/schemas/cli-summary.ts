import { type TObject, type TProperties, Type } from '@sinclair/typebox';

/**
 * The one JSON line `dsr COMMAND --json` prints when the command ends (docs/cli.md#json): what it did,
 * for a script. Counts, paths and ids only: a path or reason is masked as the human output masks it,
 * never an identifier in full. Each command's fields are listed; a later version may add fields.
 */

const Count = Type.Integer({ minimum: 0 });
const Counts = Type.Record(Type.String(), Count, { description: 'How many, by kind.' });
const Path = Type.String({ description: 'An absolute path.' });
const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const HeadLine = Type.String({
  description: 'The audit head line (dsr-audit-head/1 records=N last=… key=…).',
});

function summary(command: string, description: string, fields: TProperties): TObject {
  return Type.Object(
    {
      command: Type.Literal(command),
      exitCode: Type.Integer({
        description: '0 ok, 2 usage, 3 partial, 4 audit broken, 5 actions skipped, 1 internal.',
      }),
      ...fields,
    },
    { description },
  );
}

const ScanFields = {
  out: OrNull(Path),
  interrupted: Type.Boolean(),
  stats: Type.Object({ files: Count, items: Count, bytes: Count, skipped: Count, errors: Count }),
  items: Type.Object(
    { confirmed: Count, possible: Count, namesake: Count },
    { description: 'Items with the subject’s data, by evidence.' },
  ),
  findings: Type.Record(Type.String(), Counts, {
    description: 'Findings by whose (subject, other) and detector: {"subject": {"cpr": 2}}.',
  }),
  errors: Counts,
};

const EraseAction = Type.Object({
  id: Type.String({ description: "The plan action's id." }),
  kind: Type.String({ description: 'delete-file, redact-text, remove-mbox-message, manual, …' }),
  result: Type.String({
    description: 'would (dry run), done, stale, refused, locked, manual, skipped or failed.',
  }),
  reason: OrNull(Type.String({ description: 'Why, masked.' })),
  path: Type.String({ description: "The target's path, identifiers in it masked." }),
  nested: Count,
  host: Type.Optional(Type.String({ description: 'Through agents: the host that holds the target.' })),
});

const EraseFields = {
  plan: Path,
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  execute: Type.Boolean(),
  approved: Type.Boolean(),
  results: Counts,
  actions: Type.Array(EraseAction),
  auditLog: OrNull(Path),
  auditHead: OrNull(HeadLine),
};

export const CliSummarySchema = Type.Union(
  [
    Type.Object(
      {
        command: OrNull(Type.String()),
        exitCode: Type.Integer(),
        error: Type.String({ description: 'What was wrong (a usage error, an internal error).' }),
      },
      { description: 'Any command that stopped on an error before its work was done.' },
    ),
    summary('scan', 'dsr scan (and scan --db, which adds agents).', {
      ...ScanFields,
      agents: Type.Optional(
        Type.Object({ answered: Type.Array(Type.String()), silent: Type.Array(Type.String()) }),
      ),
    }),
    summary('index', 'dsr index.', {
      index: Path,
      files: Count,
      read: Count,
      unchanged: Count,
      removed: Count,
      errors: Count,
      interrupted: Type.Boolean(),
    }),
    summary('review', 'dsr review: the decisions in force when the officer left, and what was written.', {
      scan: Path,
      decisionsFile: Path,
      saved: OrNull(Path),
      decisions: Type.Object({ include: Count, exclude: Count, namesake: Count, keep: Count }),
      undecided: Count,
      plan: OrNull(Path),
    }),
    summary('report', 'dsr report.', {
      out: OrNull(Path),
      format: Type.String(),
      lang: Type.String(),
      draft: Type.Boolean(),
      reported: Count,
      findings: Count,
      needsReview: Type.Object({ possible: Count, namesake: Count }),
    }),
    summary('export', 'dsr export.', {
      out: Type.String(),
      copied: Count,
      notExported: Count,
      unredacted: Type.Boolean(),
    }),
    summary('plan', 'dsr plan (and plan --approve; a stale target lists the actions, exit 5).', {
      out: OrNull(Path),
      approved: Type.Boolean(),
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      actions: Type.Optional(Count),
      manual: Type.Optional(Count),
      kinds: Type.Optional(Counts),
      stale: Type.Optional(Type.Array(Type.String({ description: 'An action id.' }))),
    }),
    summary('erase', 'dsr erase (and erase --db, which adds refused and silent).', {
      ...EraseFields,
      runId: Type.Optional(Type.String()),
      auditKey: Type.Optional(Path),
      auditKeyCreated: Type.Optional(Type.Boolean()),
      refused: Type.Optional(Type.Array(Type.Object({ host: Type.String(), reason: Type.String() }))),
      silent: Type.Optional(Type.Array(Type.String())),
    }),
    summary('audit', 'dsr audit verify.', {
      log: Type.String(),
      ok: Type.Boolean(),
      records: Count,
      anchors: Count,
      brokenAt: Type.Optional(Type.Integer({ minimum: 1 })),
      brokenReason: Type.Optional(Type.String()),
    }),
    summary('agent', 'dsr agent, when it stops.', { agent: Type.String(), roots: Count, key: Path }),
    summary('agent-role', 'dsr agent-role: the URL (it holds a password) is the command’s output.', {
      agent: Type.String(),
      role: Type.String(),
      url: Type.String(),
    }),
    summary('completion', 'dsr completion (the script is on stdout: the summary goes to stderr).', {
      shell: Type.String(),
    }),
  ],
  {
    title: 'dsr --json summary',
    description:
      'The one line dsr COMMAND --json prints on standard output (on stderr when the output itself is on standard output).',
  },
);
