/** Markup, entities and emoji in customer text: what every reader of it ignores. */

/** A `<…>` longer than this is not taken for a tag. */
const MAX_TAG = 256;

/** Pictographs, flags, skin tones, ZWJ, keycap and variation selectors. */
export const EMOJI = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\u200D\u20E3\uFE0E\uFE0F]/gu;

const ENTITY = /&(nbsp|amp|lt|gt|quot|apos|#39|#x27|#43);/g;
const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  '#39': "'",
  '#x27': "'",
  '#43': '+',
};

/** Replaces `<tag …>` and `</tag>` with a space; a lone `<` stays. Linear: each tag is scanned once. */
function stripMarkup(text: string): string {
  if (!text.includes('<')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    const next = text[i + 1] ?? '';
    if (char === '<' && /[a-zA-Z/!]/.test(next)) {
      let close = -1;
      const limit = Math.min(text.length, i + MAX_TAG);
      for (let j = i + 1; j < limit; j++) {
        if (text[j] === '>') {
          close = j;
          break;
        }
        if (text[j] === '<') break;
      }
      if (close !== -1) {
        out += ' ';
        i = close + 1;
        continue;
      }
    }
    out += char;
    i += 1;
  }
  return out;
}


/** Text without tags (each becomes a space) and with common entities decoded. Linear. */
export function withoutMarkup(text: string): string {
  return stripMarkup(text).replace(ENTITY, (_, name: string) => ENTITIES[name] ?? ' ');
}
