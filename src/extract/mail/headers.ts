import type { ExtractContext } from '../api.js';

export interface NamedAddress {
  name?: string;
  address?: string;
}

/** `Display Name <address>` per line, so names and addresses are each found, and never run together. */
export function addressLine(a: NamedAddress): string | undefined {
  const name = a.name?.trim();
  const address = a.address?.trim();
  if (name && address && name !== address) return `${name} <${address}>`;
  return name || address || undefined;
}

/** Searches one address header (From, To, …) as structured text. */
export function searchAddresses(ctx: ExtractContext, field: string, list: NamedAddress[]): void {
  const lines = list.map(addressLine).filter((l): l is string => Boolean(l));
  if (lines.length) ctx.text(lines.join('\n'), { field, structured: true });
}
