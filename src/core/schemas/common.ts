import { Type } from '@sinclair/typebox';
import type { DetectorId } from '../types.js';
import { oneOf } from './build.js';

/** Pieces shared by several documents: where an item is, its fingerprint, the subject, counts per detector. */

/**
 * A detector's id. The detectors are defined in detectors/ (the registry, detectors/index.ts), not here:
 * a new detector changes no schema.
 */
const DETECTOR_ID_PATTERN = '^[a-z][a-z0-9-]*$';

export const DetectorIdSchema = Type.String({
  pattern: DETECTOR_ID_PATTERN,
  description: "The detector that found the value: README.md's detector table lists them.",
});

export const EVIDENCE_LEVELS = ['confirmed', 'possible', 'namesake'] as const;
export const EvidenceSchema = oneOf(EVIDENCE_LEVELS, {
  description:
    "confirmed: a CPR number, e-mail or phone of the subject; possible: name or face tag only; namesake: the subject's name beside someone else's CPR number or e-mail.",
});

export const ItemPathSchema = Type.Array(Type.String(), {
  description:
    'The nested items from the outside in (`message <id>`, `attachment cv.pdf`, `member a/b.txt`, `page 3`); empty for the file itself.',
});

export const FingerprintSchema = Type.Object(
  {
    size: Type.Optional(Type.Integer({ description: 'Bytes of the file or message.' })),
    mtimeMs: Type.Optional(Type.Number({ description: 'Modification time of the file, ms since 1970.' })),
    ino: Type.Optional(Type.Integer({ description: 'Inode number of the file.' })),
    sha256: Type.Optional(Type.String({ description: "sha256 (hex) of the item's bytes." })),
    offset: Type.Optional(
      Type.Integer({ description: 'Where a nested item starts in its file (mbox message, zip member).' }),
    ),
    length: Type.Optional(Type.Integer({ description: "The nested item's length in bytes." })),
    uidValidity: Type.Optional(Type.String({ description: "An IMAP mailbox's UIDVALIDITY." })),
    uid: Type.Optional(Type.Integer({ description: "An IMAP message's UID." })),
    modseq: Type.Optional(Type.String({ description: "An IMAP message's MODSEQ (servers with CONDSTORE)." })),
  },
  { description: 'What an erasure plan is checked against before anything is changed.' },
);

export const RegionSchema = Type.Object(
  { x: Type.Number(), y: Type.Number(), w: Type.Number(), h: Type.Number() },
  { description: 'A face rectangle, normalised to 0..1 of the image, origin top left.' },
);

export const LocationSchema = Type.Object(
  {
    line: Type.Optional(Type.Integer({ description: '1-based line in the field.' })),
    column: Type.Optional(Type.Integer({ description: '1-based column in the line.' })),
    page: Type.Optional(
      Type.Integer({ description: 'Page of a PDF (or of a multi-page image read by OCR).' }),
    ),
    field: Type.Optional(
      Type.String({
        description:
          'The text stream: `body`, `path`, `header:From`, `html:attributes`, `page 3`, `XMP-mwg-rs RegionList[2]`, …; `ocr` for text read by OCR from a scanned page or an image.',
      }),
    ),
    offset: Type.Optional(Type.Integer({ description: 'Character offset of the value in its field.' })),
    region: Type.Optional(RegionSchema),
    sidecarOf: Type.Optional(
      Type.String({ description: 'For a sidecar (XMP, Picasa, Takeout): the image it describes.' }),
    ),
    box: Type.Optional(
      Type.Object(
        {
          x: Type.Integer({ minimum: 0 }),
          y: Type.Integer({ minimum: 0 }),
          w: Type.Integer({ minimum: 0 }),
          h: Type.Integer({ minimum: 0 }),
        },
        {
          description:
            'For text read by OCR: the word(s) of the value on the page image, in pixels from its top-left corner.',
        },
      ),
    ),
  },
  { description: 'Where in the item the value is.' },
);

export const SubjectSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    aliases: Type.Optional(Type.Array(Type.String())),
    emails: Type.Optional(Type.Array(Type.String())),
    phones: Type.Optional(Type.Array(Type.String())),
    cpr: Type.Optional(Type.Array(Type.String())),
  },
  { description: "The subject's identifiers as given to the scan." },
);

/** A count per detector (`{"cpr": 2, "email": 1}`); every key optional. */
export function detectorCounts(description: string) {
  const counts = Type.Record(Type.String({ pattern: DETECTOR_ID_PATTERN }), Type.Integer({ minimum: 0 }), {
    description,
  });
  // Every key optional (a detector that found nothing is left out): state the type.
  return Type.Unsafe<Partial<Record<DetectorId, number>>>(counts);
}

export const ItemRefSchema = Type.Object({
  path: Type.String({ description: 'The file on disk, or the IMAP URL of a message.' }),
  itemPath: ItemPathSchema,
});
