/**
 * Natural file-name order ("img2" before "img10", "Cam_A" beside "cam_a", "école" beside "ecole"),
 * as a plain string key. SQLite compares text byte by byte and has no natural collation, so the
 * server stores this key beside each name (`images.name_key`) and indexes it; the web uploader sends
 * files in the same order by comparing the same keys.
 *
 * The key, compared by code point (what SQLite's BINARY collation does on UTF-8), orders:
 * 1. by the folded name: lower case, compatibility-decomposed, accents dropped;
 * 2. with every run of ASCII digits compared by its value: it is written as its digit count (three
 *    digits) and the digits without leading zeros, so a longer number sorts after a shorter one;
 * 3. with "/" (between folders) below every other character, so `cam/…` sorts before `cam-b/…`
 *    and a folder name compares as a whole word;
 * 4. ties (`a.jpg` / `A.jpg`, `img01` / `img1`) by the exact NFC name, so the order is total and
 *    does not depend on upload order.
 */

/** Below every character a stored name may hold (control characters are refused in names). */
const TIE = "\u0001";
const SEPARATOR = "\u0002";

const DIGITS = /[0-9]+/g;
const MARKS = /\p{M}/gu;

const foldText = (s: string) => s.toLowerCase().normalize("NFKD").replace(MARKS, "");

const encodeNumber = (digits: string) => {
  const value = digits.replace(/^0+(?=[0-9])/, "");
  // Segments are at most 255 bytes, so three digits hold any run's length.
  return String(Math.min(value.length, 999)).padStart(3, "0") + value;
};

const foldedKey = (nfc: string) => foldText(nfc).replace(DIGITS, encodeNumber).replaceAll("/", SEPARATOR);

export const naturalSortKey = (name: string): string => {
  const nfc = name.normalize("NFC");
  return foldedKey(nfc) + TIE + nfc;
};

/**
 * The keys of every name under `folder` (which ends with "/") lie in `[from, to)`: the folder's
 * folded part ends in the separator, which a digit run or a fold never crosses, so it is a prefix
 * of the key of each name it starts. A superset (folding joins `Cam_A/` and `cam_a/`): the exact
 * prefix test stays beside it; the range only lets an index on the key seek the folder.
 * Null where the folder does not end with "/" or the prefix rule does not hold for it.
 */
export const naturalKeyRange = (folder: string): { from: string; to: string } | null => {
  if (!folder.endsWith("/")) return null;
  const from = foldedKey(folder.normalize("NFC"));
  // A cheap guard against a fold that reads across the "/" (none is known): then no range.
  if (!from.endsWith(SEPARATOR) || !naturalSortKey(`${folder}a1`).startsWith(from)) return null;
  return { from, to: `${from.slice(0, -1)}${String.fromCharCode(SEPARATOR.charCodeAt(0) + 1)}` };
};

/** Compares by code point, as SQLite's BINARY collation compares UTF-8 (JS `<` compares UTF-16 units). */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-U+DFFF) stand for code points above U+FFFF: they outrank U+E000-U+FFFF.
    const hx = x >= 0xd800 && x <= 0xdfff;
    const hy = y >= 0xd800 && y <= 0xdfff;
    if (hx !== hy) return hx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
};

/** Orders two names as the library's default order does. */
export const compareNatural = (a: string, b: string): number =>
  compareCodePoints(naturalSortKey(a), naturalSortKey(b));
