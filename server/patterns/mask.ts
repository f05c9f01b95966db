// Masking before Drain: variable parts of a log line become typed
// placeholders, so lines that differ only in ids, times or numbers share a
// template from the first line on (as Drain3's masking instructions do).
// Placeholders are `<` + capitals + `>` (or `<*>`) so that templateRegex
// (queries.ts) recognises them inside a token.
//
// A "word" character here is ASCII [A-Za-z0-9_]: Japanese text around a
// number is a boundary (`12345件` → `<NUM>件`), while identifiers such as
// `x86_64` or `blk_1073` stay whole (Drain generalises such tokens).
//
// Order matters: a URL's query values first, then e-mail addresses, then
// one combined expression of the other kinds, whose alternatives are tried
// in the order of KINDS at each position (a timestamp or UUID wins over the
// numbers inside it).
//
// Speed (bench/drain.ts lines, ~118 bytes; µs a line on the dev box): V8
// tries every alternative at every position, so all kinds in one
// alternation with a replacer function cost ~3.0 µs. Now ~2.0 µs: (1) the
// kinds of KINDS all start at a word boundary with a digit, hex letter, `[`,
// `:`, a sign or an era name, so one shared check up front fails most
// positions at one character; (2) query strings and e-mail addresses, which
// may start anywhere and so would defeat that check, are separate passes,
// run only on lines with `?` or `@`; (3) an exec loop instead of a replacer
// function (-0.45 µs). Lines without a digit, `@` or `?` return at once.

const HEX4 = '[0-9a-fA-F]{1,4}';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
// Full 8 groups, or compressed with `::` (optionally ending in an embedded IPv4, `::ffff:192.0.2.1`).
const IPV6 = `(?:${HEX4}(?::${HEX4}){7}|(?:${HEX4}(?::${HEX4}){0,6})?::(?:(?:${HEX4}:){0,5}${IPV4}|${HEX4}(?::${HEX4}){0,6})?)`;
const ERA_YEAR = '(?:(?:令和|平成|昭和)(?:\\d{1,2}|元)|\\d{4})年';
const JP_TIME = '\\d{1,2}時\\d{1,2}分(?:\\d{1,2}秒)?';

// A URL's query: keys stay, values become <*> (`?id=123&q=abc` → `?id=<*>&q=<*>`).
const QUERY = /\?[^\s=&#"'?<>]+=[^\s&#"'<>]*(?:&[^\s=&#"'?<>]*(?:=[^\s&#"'<>]*)?)*/g;
const QUERY_VALUE = /=[^&]*/g;
const EMAIL = /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g;

/** The kinds of the combined expression, in the order tried; the replacer takes one parameter each, in this order. */
const KINDS: [placeholder: string, pattern: string][] = [
  // ISO 8601 / RFC 3339 and the space-separated form (also `2026/11/30 01:02:03`); nginx's `30/Nov/2026:01:02:03 +0900`; a bare time of day.
  ['<TS>', '(?<![:/-])(?:\\d{4}[-/]\\d{2}[-/]\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?|\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2}(?: [+-]\\d{4})?|\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?)(?![\\w:])'],
  // Japanese dates (`2026年11月30日(月) 10時05分`, `令和8年11月30日`, `11月30日`, `2026年11月`, `10時05分`) and ISO dates without a time.
  ['<DATE>', `(?<![:/-])(?:(?:${ERA_YEAR})?\\d{1,2}月\\d{1,2}日(?:[(（][月火水木金土日][)）])?(?:\\s*${JP_TIME})?|${ERA_YEAR}\\d{1,2}月|${JP_TIME}|\\d{4}[-/]\\d{2}[-/]\\d{2}(?![\\w:]))`],
  ['<UUID>', '(?<!-)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\\w-])'],
  // IPv6 in brackets with an optional port, or bare; then IPv4 with an optional port.
  ['<IP>', `(?<!:)(?:\\[${IPV6}\\](?::\\d{1,5})?|${IPV6})(?![\\w:]|\\.\\d)`],
  ['<IP>', `${IPV4}(?::\\d{1,5})?(?!\\w|\\.\\d)`],
  // 123ms, 1.5s, 250µs (micro sign or Greek mu), 3m, 2min, Go's 1h2m3.5s.
  ['<DURATION>', '(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|μs|ms|min|sec|s|m|h))+(?!\\w)'],
  // 0x1f2e, or 8+ hex characters with both a digit and a letter (checked in the replacer).
  ['<HEX>', '(?:0[xX][0-9a-fA-F]+|[0-9a-fA-F]{8,})(?!\\w)'],
  // Integers, decimals, signed; dotted runs such as 1.2.3 count as one number.
  ['<NUM>', '[-+]?\\d+(?:\\.\\d+)*(?!\\w)'],
];

const COMBINED = new RegExp(`(?=[0-9a-fA-F[:+\\-令平昭])(?<![\\w.])(?:${KINDS.map(([, pattern]) => `(${pattern})`).join('|')})`, 'g');
// Kind i is capture group i + 1 (groups inside a kind are non-capturing): that is how the replacer knows what matched.
if (new RegExp(`${COMBINED.source}|`).exec('')!.length !== KINDS.length + 1 || KINDS.map(([p]) => p).join(' ') !== '<TS> <DATE> <UUID> <IP> <IP> <DURATION> <HEX> <NUM>') {
  throw new Error('mask: KINDS no longer fit the replacer');
}

const HAS_DIGIT = /\d/;
const HAS_HEX_LETTER = /[a-fA-F]/;
/** Characters without which nothing can be masked: every kind needs a digit, except e-mail addresses and query strings. */
const MAY_MASK = /[\d@?]/;

/** The placeholder of a match, from which of KINDS' groups (one parameter each, in order) matched. */
function replace(match: string, ts?: string, date?: string, uuid?: string, ip6?: string, ip4?: string, duration?: string, hex?: string): string {
  if (ts !== undefined) return '<TS>';
  if (date !== undefined) return '<DATE>';
  if (uuid !== undefined) return '<UUID>';
  // `::` and words such as `dead::beef` or `deadbeefcafe` are not addresses or ids.
  if (ip6 !== undefined) return HAS_DIGIT.test(match) ? '<IP>' : match;
  if (ip4 !== undefined) return '<IP>';
  if (duration !== undefined) return '<DURATION>';
  if (hex !== undefined) {
    if (match[1] === 'x' || match[1] === 'X') return '<HEX>';
    if (!HAS_DIGIT.test(match)) return match;
    // An all-decimal run is a number whatever its length, so ids of 4 and of 9 digits share <NUM>.
    return HAS_HEX_LETTER.test(match) ? '<HEX>' : '<NUM>';
  }
  return '<NUM>';
}

const maskQuery = (query: string) => query.replace(QUERY_VALUE, '=<*>');

/** The line with its variable parts replaced by typed placeholders (see KINDS); a line without digits, `@` or `?` is returned as it is. */
export function mask(message: string): string {
  if (!MAY_MASK.test(message)) return message;
  let line = message;
  if (line.includes('?')) line = line.replace(QUERY, maskQuery);
  if (line.includes('@')) line = line.replace(EMAIL, '<EMAIL>');
  COMBINED.lastIndex = 0;
  let masked = '';
  let done = 0;
  for (let m = COMBINED.exec(line); m !== null; m = COMBINED.exec(line)) {
    masked += line.slice(done, m.index) + replace(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
    done = COMBINED.lastIndex;
  }
  return done === 0 ? line : masked + line.slice(done);
}
