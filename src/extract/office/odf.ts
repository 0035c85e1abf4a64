import { ExtractError } from '../../core/errors.js';
import { numberText } from './ooxml.js';
import type { OfficePackage } from './package.js';
import { propertyLines, xmlToText } from './xml-text.js';

const ODF = {
  block: new Set(['text:p', 'text:h', 'table:table-row', 'text:list-item']),
  cell: new Set(['table:table-cell']),
  tab: new Set(['text:tab']),
  br: new Set(['text:line-break']),
  spaces: 'text:s',
  skip: new Set(['office:automatic-styles', 'office:font-face-decls', 'office:styles']),
};

const NUMBER_CELL = /(<table:table-cell\b[^>]*?\boffice:value="(\d{9})"[^>]*>\s*<text:p>)\2(<\/text:p>)/g;

/** As for Excel: a CPR number typed into a number cell has lost its leading zero (see numberText). */
function padNumberCells(xml: string): string {
  return xml.replace(
    NUMBER_CELL,
    (_m, open: string, digits: string, close: string) => `${open}${numberText(digits)}${close}`,
  );
}

/** OpenDocument (ODT, ODS, ODP): content.xml is body, styles.xml holds headers and footers, meta.xml the properties. */
export async function readOdf(pkg: OfficePackage): Promise<void> {
  // A password-protected OpenDocument file keeps its manifest readable and encrypts the parts.
  if ((await pkg.text('META-INF/manifest.xml'))?.includes('encryption-data')) {
    throw new ExtractError('encrypted', 'password-protected OpenDocument file; not read');
  }
  const content = await pkg.text('content.xml');
  if (content) pkg.emit(xmlToText(padNumberCells(content), ODF), 'body');
  const styles = await pkg.text('styles.xml');
  if (styles)
    pkg.emit(xmlToText(styles, { ...ODF, skip: new Set(['office:font-face-decls']) }), 'headers and footers');
  const meta = await pkg.text('meta.xml');
  if (meta) pkg.emit(propertyLines(meta).join('\n'), 'properties', true);
}
