import type { ErrorKind, Evidence } from '../../core/types.js';

export type Lang = 'da' | 'en';
export const LANGS: readonly Lang[] = ['da', 'en'];

/** Text in one language, or per language (`{ "da": "…", "en": "…" }`); the report picks its language. */
export type LocalText = string | Partial<Record<Lang, string>>;

/** Every sentence of the access report, in Danish and English. */
export interface Strings {
  htmlLang: string;
  title: string;
  subtitle: string;
  draftTitle: string;
  draft: (n: { possible: number; namesake: number }) => string;
  /** Why a report without a controller profile is a draft. */
  draftNoController: string;
  interrupted: string;
  aboutHeading: string;
  aboutYou: string;
  subjectIntro: string;
  subjectFields: { name: string; aliases: string; emails: string; phones: string; cpr: string };
  /** `kinds`: what is hidden (`e-mail addresses, phone numbers and CPR numbers`). */
  maskNote: (kinds: string) => string;
  controllerHeading: string;
  controllerFields: {
    organisation: string;
    registration: string;
    address: string;
    contact: string;
    email: string;
    phone: string;
    website: string;
    authority: string;
    transfers: string;
  };
  generated: string;
  scanId: string;
  searchedHeading: string;
  searchedIntro: string;
  period: string;
  roots: string;
  rootKinds: { folder: string; mailbox: string };
  counts: {
    files: string;
    items: string;
    bytes: string;
    skipped: string;
    links: string;
    special: string;
    errors: string;
    reported: string;
  };
  coverageAll: string;
  coverageSome: (n: number) => string;
  errorsSummary: (n: number) => string;
  errorKinds: Record<ErrorKind, string>;
  errorColumns: { where: string; kind: string; message: string };
  summaryHeading: string;
  summaryIntro: string;
  chartTitle: string;
  categoryColumns: { category: string; items: string; findings: string; values: string };
  policy: { purposes: string; legalBasis: string; retention: string; recipients: string; source: string };
  noPolicy: string;
  otherCategoriesHeading: string;
  otherCategoriesIntro: string;
  itemsHeading: string;
  itemsIntro: string;
  noItems: string;
  sourceKinds: { folder: string; mailbox: string; container: string; file: string };
  itemsIn: (n: number) => string;
  findingColumns: { category: string; value: string; where: string; context: string };
  evidence: Record<Evidence, string>;
  reviewedIncluded: string;
  reviewedKept: string;
  /** Before the reason an item is kept (decision `keep`). */
  keptHeading: string;
  /** `ocr`: said of text read by OCR from a scanned page or an image. */
  location: { page: string; line: string; column: string; field: string; ocr: string };
  region: string;
  regionText: (r: { x: number; y: number; w: number; h: number }) => string;
  moreFindings: (n: number) => string;
  rightsHeading: string;
  rights: string[];
  complaint: (authority: string) => string;
  defaultAuthority: string;
  footer: string;
  /** The PDF's page footer; the arguments are markup that the printer fills in. */
  pageOf: (page: string, total: string) => string;
  number: (n: number) => string;
  /** A time in the reader's zone (`timeZone`, an IANA name; default: the process's, which follows `TZ`). */
  date: (iso: string, timeZone?: string) => string;
  bytes: (n: number) => string;
}

const pct = (v: number) => `${Math.round(v * 100)} %`;

function formatBytes(n: number, locale: string): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toLocaleString(locale, { maximumFractionDigits: i === 0 ? 0 : 1 })} ${units[i]}`;
}

function formatDate(iso: string, locale: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const when = d.toLocaleString(locale, { dateStyle: 'long', timeStyle: 'short', timeZone });
  const zone = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName')?.value;
  return zone ? `${when} (${zone})` : when;
}

/** Whether `name` is a time zone this Node knows (`Europe/Copenhagen`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const da: Strings = {
  htmlLang: 'da',
  title: 'Indsigtsrapport',
  subtitle: 'Oplysninger om dig, som vi behandler (databeskyttelsesforordningen art. 15)',
  draftTitle: 'Kladde – ikke klar til afsendelse',
  draft: ({ possible, namesake }) =>
    `Til den dataansvarliges medarbejder: ${possible + namesake} element${possible + namesake === 1 ? '' : 'er'} ` +
    `er endnu ikke gennemgået (${possible} med navn eller ansigt alene, ${namesake} mulig${namesake === 1 ? '' : 'e'} navnefælle${namesake === 1 ? '' : 'r'}) ` +
    'og er ikke medtaget. Gennemgå dem med dsr review, og lav rapporten igen, før den sendes.',
  draftNoController:
    'Rapporten mangler den dataansvarliges oplysninger om formål, retsgrundlag og opbevaring (en profil givet med --controller); tilføj dem, før rapporten sendes.',
  interrupted:
    'Søgningen blev afbrudt, før den var færdig. Rapporten viser kun det, der nåede at blive søgt.',
  aboutHeading: 'Om rapporten',
  aboutYou: 'Hvem rapporten handler om',
  subjectIntro: 'Rapporten handler om den person, der har disse oplysninger, som blev brugt til søgningen:',
  subjectFields: {
    name: 'Navn',
    aliases: 'Andre navne',
    emails: 'E-mail',
    phones: 'Telefon',
    cpr: 'CPR-nummer',
  },
  maskNote: (kinds) =>
    `Oplysninger om andre personer, som står i de samme dokumenter (${kinds}), er skjult med X.`,
  controllerHeading: 'Dataansvarlig',
  controllerFields: {
    organisation: 'Virksomhed',
    registration: 'CVR-nr.',
    address: 'Adresse',
    contact: 'Kontakt (databeskyttelse)',
    email: 'E-mail',
    phone: 'Telefon',
    website: 'Hjemmeside',
    authority: 'Tilsynsmyndighed',
    transfers: 'Overførsel til lande uden for EU/EØS',
  },
  generated: 'Rapporten er lavet',
  scanId: 'Søgnings-id',
  searchedHeading: 'Hvad vi har søgt i',
  searchedIntro: 'Vi har søgt efter oplysningerne ovenfor i disse mapper og postkasser:',
  period: 'Søgningen fandt sted',
  roots: 'Søgt i',
  rootKinds: { folder: 'Mappe', mailbox: 'Postkasse' },
  counts: {
    files: 'Filer gennemsøgt',
    items: 'Elementer læst (filer, e-mails, vedhæftninger)',
    bytes: 'Datamængde',
    skipped: 'Filer uden tekst (fx programmer)',
    links: 'Genveje til andre steder (ikke fulgt)',
    special: 'Systemfiler, som ikke er dokumenter (fx datakanaler)',
    errors: 'Kunne ikke læses helt',
    reported: 'Elementer med oplysninger om dig',
  },
  coverageAll: 'Alle fundne filer og postkasser blev læst.',
  coverageSome: (n) => `${n} element${n === 1 ? '' : 'er'} kunne ikke læses helt; de er vist herunder.`,
  errorsSummary: (n) => `Hvad der ikke kunne læses (${n})`,
  errorKinds: {
    corrupt: 'beskadiget',
    limit: 'over grænsen',
    permission: 'ingen adgang',
    timeout: 'tidsgrænse',
    encrypted: 'krypteret',
    unsupported: 'format eller scanning understøttes ikke',
    connection: 'forbindelsen blev afbrudt',
  },
  errorColumns: { where: 'Hvor', kind: 'Årsag', message: 'Hvad det betyder' },
  summaryHeading: 'Oversigt over dine oplysninger',
  summaryIntro: 'Antal elementer, hvor hver type oplysning om dig blev fundet:',
  chartTitle: 'Elementer pr. kategori',
  categoryColumns: { category: 'Kategori', items: 'Elementer', findings: 'Fund', values: 'Fundne værdier' },
  policy: {
    purposes: 'Formål',
    legalBasis: 'Retsgrundlag',
    retention: 'Opbevaring',
    recipients: 'Modtagere',
    source: 'Kilde',
  },
  noPolicy: 'Den dataansvarlige har ikke beskrevet denne kategori.',
  otherCategoriesHeading: 'Andre oplysninger, vi behandler',
  otherCategoriesIntro:
    'Den dataansvarlige oplyser også at behandle disse kategorier, som søgningen ikke leder efter:',
  itemsHeading: 'Hvor oplysningerne står',
  itemsIntro:
    'Hvert element nedenfor er en fil, en e-mail, en vedhæftet fil eller et billede, grupperet efter, hvor det ligger.',
  noItems: 'Vi fandt ingen oplysninger om dig.',
  sourceKinds: { folder: 'Mappe', mailbox: 'Postkasse', container: 'Fil med indhold', file: 'Fil' },
  itemsIn: (n) => `${n} element${n === 1 ? '' : 'er'}`,
  findingColumns: { category: 'Kategori', value: 'Værdi', where: 'Placering', context: 'Sammenhæng' },
  evidence: { confirmed: 'bekræftet', possible: 'mulig', namesake: 'navnefælle' },
  reviewedIncluded: 'gennemgået og medtaget',
  reviewedKept: 'gennemgået: opbevares',
  keptHeading: 'Vi opbevarer disse oplysninger, fordi:',
  location: {
    page: 'side',
    line: 'linje',
    column: 'kolonne',
    field: 'felt',
    ocr: 'læst med tekstgenkendelse (OCR) fra en scannet side',
  },
  region: 'Markeret område i billedet',
  regionText: (r) => `venstre ${pct(r.x)}, top ${pct(r.y)}, bredde ${pct(r.w)}, højde ${pct(r.h)}`,
  moreFindings: (n) => `Alle ${n} fund`,
  rightsHeading: 'Dine rettigheder',
  rights: [
    'Du kan bede om at få urigtige oplysninger rettet (art. 16) og om at få oplysninger slettet (art. 17).',
    'Du kan bede om, at behandlingen begrænses (art. 18), og gøre indsigelse mod den (art. 21).',
    'Du kan få de oplysninger, du selv har givet os, i et struktureret, almindeligt anvendt og maskinlæsbart format (art. 20).',
  ],
  complaint: (a) => `Du kan klage over vores behandling af dine oplysninger til ${a}.`,
  defaultAuthority: 'Datatilsynet (www.datatilsynet.dk)',
  footer: 'Lavet med dsr',
  pageOf: (p, n) => `Side ${p} af ${n}`,
  number: (n) => n.toLocaleString('da-DK'),
  date: (iso, tz) => formatDate(iso, 'da-DK', tz),
  bytes: (n) => formatBytes(n, 'da-DK'),
};

const en: Strings = {
  htmlLang: 'en',
  title: 'Access report',
  subtitle: 'Personal data about you that we process (GDPR article 15)',
  draftTitle: 'Draft – not ready to send',
  draft: ({ possible, namesake }) => {
    const n = possible + namesake;
    return (
      `For the privacy officer: ${n} item${n === 1 ? ' has' : 's have'} not been reviewed yet ` +
      `(${possible} with a name or face tag only, ${namesake} possible namesake${namesake === 1 ? '' : 's'}) ` +
      `and ${n === 1 ? 'is' : 'are'} not included. Review them with dsr review and make the report again before sending it.`
    );
  },
  draftNoController:
    "The report lacks the controller's purposes, legal basis and retention (a profile given with --controller); add them before sending it.",
  interrupted: 'The search was stopped before it finished. This report shows only what was searched.',
  aboutHeading: 'About this report',
  aboutYou: 'Who this report is about',
  subjectIntro: 'This report is about the person with these details, which were used for the search:',
  subjectFields: {
    name: 'Name',
    aliases: 'Other names',
    emails: 'E-mail',
    phones: 'Phone',
    cpr: 'CPR number',
  },
  maskNote: (kinds) => `Details of other people in the same documents (${kinds}) are hidden with X.`,
  controllerHeading: 'Controller',
  controllerFields: {
    organisation: 'Organisation',
    registration: 'Company reg. no.',
    address: 'Address',
    contact: 'Data protection contact',
    email: 'E-mail',
    phone: 'Phone',
    website: 'Website',
    authority: 'Supervisory authority',
    transfers: 'Transfers outside the EU/EEA',
  },
  generated: 'Report made',
  scanId: 'Search id',
  searchedHeading: 'What we searched',
  searchedIntro: 'We searched for the details above in these folders and mailboxes:',
  period: 'The search ran',
  roots: 'Searched',
  rootKinds: { folder: 'Folder', mailbox: 'Mailbox' },
  counts: {
    files: 'Files searched',
    items: 'Items read (files, e-mails, attachments)',
    bytes: 'Amount of data',
    skipped: 'Files without text (e.g. programs)',
    links: 'Shortcuts to other places (not followed)',
    special: 'System files that are not documents (e.g. data channels)',
    errors: 'Could not be read fully',
    reported: 'Items with data about you',
  },
  coverageAll: 'Every file and mailbox found was read.',
  coverageSome: (n) => `${n} item${n === 1 ? '' : 's'} could not be read fully; they are listed below.`,
  errorsSummary: (n) => `What could not be read (${n})`,
  errorKinds: {
    corrupt: 'damaged',
    limit: 'over the limit',
    permission: 'no access',
    timeout: 'time limit',
    encrypted: 'encrypted',
    unsupported: 'format or scan not supported',
    connection: 'connection lost',
  },
  errorColumns: { where: 'Where', kind: 'Reason', message: 'What it means' },
  summaryHeading: 'Summary of your data',
  summaryIntro: 'Number of items in which each kind of data about you was found:',
  chartTitle: 'Items per category',
  categoryColumns: { category: 'Category', items: 'Items', findings: 'Findings', values: 'Values found' },
  policy: {
    purposes: 'Purposes',
    legalBasis: 'Legal basis',
    retention: 'Retention',
    recipients: 'Recipients',
    source: 'Source',
  },
  noPolicy: 'The controller has not described this category.',
  otherCategoriesHeading: 'Other data we process',
  otherCategoriesIntro:
    'The controller also states that it processes these categories, which the search does not look for:',
  itemsHeading: 'Where the data is',
  itemsIntro: 'Each item below is a file, an e-mail, an attachment or a photo, grouped by where it is kept.',
  noItems: 'We found no data about you.',
  sourceKinds: { folder: 'Folder', mailbox: 'Mailbox', container: 'File with contents', file: 'File' },
  itemsIn: (n) => `${n} item${n === 1 ? '' : 's'}`,
  findingColumns: { category: 'Category', value: 'Value', where: 'Location', context: 'Context' },
  evidence: { confirmed: 'confirmed', possible: 'possible', namesake: 'namesake' },
  reviewedIncluded: 'reviewed and included',
  reviewedKept: 'reviewed: kept',
  keptHeading: 'We keep this data because:',
  location: {
    page: 'page',
    line: 'line',
    column: 'column',
    field: 'field',
    ocr: 'read by text recognition (OCR) from a scanned page',
  },
  region: 'Tagged region in the picture',
  regionText: (r) => `left ${pct(r.x)}, top ${pct(r.y)}, width ${pct(r.w)}, height ${pct(r.h)}`,
  moreFindings: (n) => `All ${n} findings`,
  rightsHeading: 'Your rights',
  rights: [
    'You may ask us to correct inaccurate data (art. 16) and to erase data (art. 17).',
    'You may ask us to restrict processing (art. 18) and object to it (art. 21).',
    'You may receive the data you gave us in a structured, commonly used and machine-readable format (art. 20).',
  ],
  complaint: (a) => `You may complain about how we process your data to ${a}.`,
  defaultAuthority: 'the Danish Data Protection Agency, Datatilsynet (www.datatilsynet.dk)',
  footer: 'Made with dsr',
  pageOf: (p, n) => `Page ${p} of ${n}`,
  number: (n) => n.toLocaleString('en-GB'),
  date: (iso, tz) => formatDate(iso, 'en-GB', tz),
  bytes: (n) => formatBytes(n, 'en-GB'),
};

export const STRINGS: Record<Lang, Strings> = { da, en };

/** A profile text in the report's language, falling back to the other one. */
export function localize(text: LocalText | undefined, lang: Lang): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text[lang === 'da' ? 'en' : 'da'] ?? '';
}
