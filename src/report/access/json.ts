import type { AccessReport } from './model.js';

/** The report as JSON (`dsr.report/1`), the machine-readable form of the same content as the HTML. */
export function renderJson(report: AccessReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
