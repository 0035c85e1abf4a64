/**
 * Whether an image whose headers say nothing of it (a WebP has no resolution or colour model to go by)
 * looks like a page of text: a quick look at a thumbnail of at most 96 pixels a side, decoded by sharp
 * (libwebp decodes at the reduced size), before the full recogniser is asked. A page is mostly light,
 * nearly without colour, with some darker marks; a photo of a scene is not.
 */
const SIDE = 96;
const MIN_LIGHT = 0.6;
const MIN_MARKS = 0.003;
const MAX_COLOURFUL = 0.05;
/** Larger images are not looked at: WebP holds at most 16383 x 16383 pixels, a scanned page far fewer. */
const MAX_PIXELS = 60_000_000;

export async function pageLikeSignal(data: Uint8Array): Promise<string | undefined> {
  const sharp = (await import('sharp')).default;
  let px: Buffer;
  let channels: number;
  try {
    const out = await sharp(data, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
      .resize(SIDE, SIDE, { fit: 'inside' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    px = out.data;
    channels = out.info.channels;
  } catch {
    // Not decodable here: nothing says it is a page.
    return undefined;
  }
  let light = 0;
  let marks = 0;
  let colourful = 0;
  const n = px.length / channels;
  for (let i = 0; i < px.length; i += channels) {
    const r = px[i];
    const g = channels >= 3 ? px[i + 1] : r;
    const b = channels >= 3 ? px[i + 2] : r;
    const max = Math.max(r, g, b);
    if (max - Math.min(r, g, b) > 40) colourful++;
    if (Math.min(r, g, b) >= 200) light++;
    else if (max < 235) marks++;
  }
  return light / n >= MIN_LIGHT && marks / n >= MIN_MARKS && colourful / n <= MAX_COLOURFUL
    ? 'light page with dark marks and little colour'
    : undefined;
}
