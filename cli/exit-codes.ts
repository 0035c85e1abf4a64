/** Exit codes (docs/cli.md, "Conventions"): scripts rely on them. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  partial: 3,
  /** dsr erase: some actions skipped or refused. */
  actionsSkipped: 5,
} as const;
