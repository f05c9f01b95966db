// Masking before Drain: variable parts of a log line become typed
// placeholders, so lines that differ only in ids, times or numbers share a
// template from the first line on (as Drain3's masking instructions do).
//
// One combined regular expression, compiled once: at each position the
// alternatives are tried in the order below, so a timestamp or a UUID wins
// over the numbers inside it. Each alternative starts with a lookbehind that
// lets it begin only at a word boundary, which keeps a scan linear even over
// long runs of letters. Placeholders are `<` + capitals + `>` (or `<*>`) so
// that templateRegex (queries.ts) recognises them inside a token.
//
// A "word" character here is ASCII [A-Za-z0-9_]: Japanese text around a
// number is a boundary (`12345件` → `<NUM>件`), an identifier such as
// `x86_64` or `blk_1073` is left whole (Drain generalises such tokens).

const HEX4 = '[0-9a-fA-F]{1,4}';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
// Full 8 groups, or compressed with `::` (optionally ending in an embedded IPv4, `::ffff:192.0.2.1`).
const IPV6 = `(?:${HEX4}(?::${HEX4}){7}|(?:${HEX4}(?::${HEX4}){0,6})?::(?:(?:${HEX4}:){0,5}${IPV4}|${HEX4}(?::${HEX4}){0,6})?)`;
const ERA_YEAR = '(?:(?:令和|平成|昭和)(?:\\d{1,2}|元)|\\d{4})年';
const JP_TIME = '\\d{1,2}時\\d{1,2}分(?:\\d{1,2}秒)?';

export const KINDS: [placeholder: string, pattern: string][] = [
  // ISO 8601 / RFC 3339 and the space-separated form (also `2026/11/30 01:02:03`); nginx's `30/Nov/2026:01:02:03 +0900`; a bare time of day.
  ['<TS>', '(?<![\\w.:/-])(?:\\d{4}[-/]\\d{2}[-/]\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?|\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?|\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?)(?![\\w:])'],
  // Japanese dates (`2026年11月30日(月) 10時05分`, `令和8年11月30日`, `11月30日`, `2026年11月`, `10時05分`) and ISO dates without a time.
  ['<DATE>', `(?<![\\w.:/-])(?:(?:${ERA_YEAR})?\\d{1,2}月\\d{1,2}日(?:[(（][月火水木金土日][)）])?(?:\\s*${JP_TIME})?|${ERA_YEAR}\\d{1,2}月|${JP_TIME}|\\d{4}[-/]\\d{2}[-/]\\d{2}(?![\\w:]))`],
  ['<UUID>', '(?<![\\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\\w-])'],
  ['<EMAIL>', '(?<![\\w.%+-])[\\w.%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![\\w-])'],
  // A URL's query: keys stay, values become <*> (the replacer below).
  ['<QUERY>', '\\?[^\\s=&#"\'?<>]+=[^\\s&#"\'<>]*(?:&[^\\s=&#"\'?<>]*(?:=[^\\s&#"\'<>]*)?)*'],
  // IPv6 in brackets with an optional port, or bare; then IPv4 with an optional port.
  ['<IP>', `(?<![\\w:.])(?:\\[${IPV6}\\](?::\\d{1,5})?|${IPV6})(?![\\w:]|\\.\\d)`],
  ['<IP>', `(?<![\\w.])${IPV4}(?::\\d{1,5})?(?!\\w|\\.\\d)`],
  // 123ms, 1.5s, 250µs (micro sign or Greek mu), 3m, 2min, Go's 1h2m3.5s.
  ['<DURATION>', '(?<![\\w.])(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|μs|ms|min|sec|s|m|h))+(?!\\w)'],
  // 0x1f2e, or 8+ hex characters with both a digit and a letter (checked in the replacer).
  ['<HEX>', '(?<![\\w.])(?:0[xX][0-9a-fA-F]+|[0-9a-fA-F]{8,})(?!\\w)'],
  // Integers, decimals, signed; dotted runs such as 1.2.3 count as one number.
  ['<NUM>', '(?<![\\w.])[-+]?\\d+(?:\\.\\d+)*(?!\\w)'],
];

const PLACEHOLDERS = KINDS.map(([placeholder]) => placeholder);
// Kind i is capture group i + 1 (every group inside a kind is non-capturing), which is how the replacer knows what matched.
const COMBINED = new RegExp(KINDS.map(([, pattern]) => `(${pattern})`).join('|'), 'g');
if (new RegExp(`${COMBINED.source}|`).exec('')!.length !== KINDS.length + 1) throw new Error('mask: a kind has a capturing group');

const QUERY_VALUE = /=[^&]*/g;
const HAS_DIGIT = /\d/;
const HAS_HEX_LETTER = /[a-fA-F]/;
/** Characters without which nothing can be masked: every kind needs a digit, except e-mail addresses and query strings. */
const MAY_MASK = /[\d@?]/;

function replace(match: string, ...args: unknown[]): string {
  for (let kind = 0; kind < PLACEHOLDERS.length; kind++) {
    if (args[kind] === undefined) continue;
    const placeholder = PLACEHOLDERS[kind]!;
    if (placeholder === '<QUERY>') return match.replace(QUERY_VALUE, '=<*>');
    // `::` and words such as `dead::beef` or `deadbeefcafe` are not addresses or ids.
    if ((placeholder === '<IP>' || placeholder === '<HEX>') && !HAS_DIGIT.test(match)) return match;
    // An all-decimal run is a number whatever its length, so ids of 4 and of 9 digits share <NUM>.
    if (placeholder === '<HEX>' && match[1] !== 'x' && match[1] !== 'X' && !HAS_HEX_LETTER.test(match)) return '<NUM>';
    return placeholder;
  }
  return match;
}

/** The line with its variable parts replaced by typed placeholders (see KINDS); a line without digits, `@` or `?` is returned as it is. */
export function mask(message: string): string {
  if (!MAY_MASK.test(message)) return message;
  return message.replace(COMBINED, replace);
}
