import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';

/** A face rectangle in normalised image coordinates (0..1), top-left based. */
export interface FaceBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Raster formats whose pixels can be rewritten; others (HEIC, video, sidecars) keep their pixels. */
const BLURRABLE = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff']);

export function canBlur(path: string): boolean {
  return BLURRABLE.has(extname(path).toLowerCase());
}

/** MWG regions are centre-based (`X`, `Y` the middle), Microsoft Photo rectangles top-left based. */
export function mwgBox(area: unknown): FaceBox | undefined {
  const a = area as { X?: number; Y?: number; W?: number; H?: number; Unit?: string } | undefined;
  if (a?.Unit !== 'normalized' || ![a.X, a.Y, a.W, a.H].every((n) => typeof n === 'number')) return undefined;
  return { x: a.X! - a.W! / 2, y: a.Y! - a.H! / 2, w: a.W!, h: a.H! };
}

export function mpBox(rectangle: unknown): FaceBox | undefined {
  if (typeof rectangle !== 'string') return undefined;
  const n = rectangle.split(',').map((s) => Number(s.trim()));
  if (n.length !== 4 || n.some((v) => !Number.isFinite(v))) return undefined;
  return { x: n[0], y: n[1], w: n[2], h: n[3] };
}

/**
 * Pixelates the given face rectangles of the image at `path` in place (sharp): each rectangle is
 * shrunk to about 8 blocks across its shorter side and scaled back without smoothing. Metadata is kept
 * (the caller rewrites the tags afterwards). Returns the rectangles pixelated: none for an image with an
 * EXIF rotation, where the region coordinates and the stored pixel grid may not agree.
 */
export async function pixelateFaces(path: string, boxes: FaceBox[]): Promise<number> {
  const { default: sharp } = await import('sharp');
  const input = await readFile(path);
  const base = sharp(input, { failOn: 'none' });
  const { orientation } = await base.metadata();
  // Region coordinates and a rotated pixel grid may disagree: leave such images to a person.
  if (orientation && orientation !== 1) return 0;
  const { data, info } = await base.clone().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const overlays: {
    input: Buffer;
    left: number;
    top: number;
    raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
  }[] = [];
  for (const b of boxes) {
    const left = Math.max(0, Math.floor(b.x * width));
    const top = Math.max(0, Math.floor(b.y * height));
    const w = Math.min(width - left, Math.ceil(b.w * width));
    const h = Math.min(height - top, Math.ceil(b.h * height));
    if (w < 2 || h < 2) continue;
    const cells = Math.max(2, Math.ceil(Math.min(w, h) / 8));
    const small = await sharp(data, { raw: { width, height, channels: info.channels } })
      .extract({ left, top, width: w, height: h })
      .resize(Math.max(1, Math.ceil(w / cells)), Math.max(1, Math.ceil(h / cells)), {
        kernel: 'nearest',
        fit: 'fill',
      })
      .raw()
      .toBuffer();
    const block = await sharp(small, {
      raw: {
        width: Math.max(1, Math.ceil(w / cells)),
        height: Math.max(1, Math.ceil(h / cells)),
        channels: info.channels,
      },
    })
      .resize(w, h, { kernel: 'nearest', fit: 'fill' })
      .raw()
      .toBuffer();
    overlays.push({ input: block, left, top, raw: { width: w, height: h, channels: info.channels } });
  }
  if (!overlays.length) return 0;
  const ext = extname(path).toLowerCase();
  let out = base.composite(overlays).keepMetadata();
  out =
    ext === '.png'
      ? out.png()
      : ext === '.webp'
        ? out.webp({ quality: 95 })
        : ext === '.tif' || ext === '.tiff'
          ? out.tiff()
          : out.jpeg({ quality: 95 });
  await writeFile(path, await out.toBuffer());
  return overlays.length;
}
