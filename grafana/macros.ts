// What Grafana and the ClickHouse data source plugin (grafana-clickhouse-datasource
// v4) make of a panel's rawSql before ClickHouse sees it, in their order:
//
// 1. $__conditionalAll(cond, $var), in the plugin's frontend: the condition,
//    or 1=1 when the variable's value is All ('$__all') or empty
//    (clickhouse-datasource src/data/CHDatasource.ts applyConditionalAll, getMacroArgs).
// 2. Template variables, by Grafana (scenes VARIABLE_REGEX, packages/scenes/src/variables/
//    constants.ts): $var, ${var}, ${var:fmt}, [[var]]. Without a format the plugin's
//    own formatter applies (CHDatasource.ts format): a multi-value list becomes
//    'a','b' and a single value goes in as it is. ${var:singlequote} quotes each
//    value, escaping ' as \' (scenes/grafana formatRegistry.ts singlequote). All
//    without a custom all value stands for every option.
// 3. Macros, in the plugin's backend (clickhouse-datasource pkg/macros/macros.go)
//    through grafana-plugin-sdk-go data/sqlutil/macros.go Interpolate: longest
//    name first, `\$__name\b` then an optional bracketed argument list split at
//    top-level commas and trimmed, every occurrence of the same text replaced.
//      $__timeFilter(c)     c >= toDateTime(<from s>) AND c <= toDateTime(<to s>)
//      $__timeFilter_ms(c)  c >= fromUnixTimestamp64Milli(<from ms>) AND c <= fromUnixTimestamp64Milli(<to ms>)
//      $__dateFilter(c)     c >= toDate('<from date>') AND c <= toDate('<to date>')
//      $__fromTime, $__toTime          toDateTime(<s>)   ($__fromTime_ms, $__toTime_ms: fromUnixTimestamp64Milli(<ms>))
//      $__timeInterval(c)   toStartOfInterval(toDateTime(c), INTERVAL <max(interval s, 1)> second)
//      $__timeInterval_ms(c) toStartOfInterval(toDateTime64(c, 3), INTERVAL <max(interval ms, 1)> millisecond)
//      $__interval_s        <max(interval s, 1)>
//    Seconds are Go's Time.Unix() (whole seconds, rounded down). Any other
//    $__ macro (sqlutil's own $__timeFrom, $__timeGroup, ...; newer plugins
//    redefine some) is refused here so that no board depends on one.

export const ALL = '$__all';

export interface VariableState {
  /** One value (single-value variable), a list (multi-value), or ALL. */
  value: string | string[];
  /** What ALL stands for: the variable's options. */
  options?: string[];
}

export interface QueryScope {
  /** The panel's range, epoch milliseconds. */
  from: number;
  to: number;
  /** Grafana's interval for the panel (range / max data points, at least the panel's min interval). */
  intervalMs: number;
  variables: Record<string, VariableState>;
}

export function interpolate(rawSql: string, scope: QueryScope): string {
  return expandMacros(replaceVariables(applyConditionalAll(rawSql, scope.variables), scope.variables), scope);
}

/** CHDatasource.getMacroArgs: the arguments of the call whose '(' is at argsIndex, split at its own commas. */
function macroArgs(query: string, argsIndex: number): string[] {
  const args: string[] = [];
  const re = /\(|\)|,/g;
  let depth = 0;
  let lastArgEnd = 1;
  const rest = query.substring(argsIndex);
  for (let found = re.exec(rest); found !== null; found = re.exec(rest)) {
    if (found[0] === '(') depth++;
    else if (found[0] === ')') depth--;
    if (found[0] === ',' && depth === 1) {
      args.push(rest.substring(lastArgEnd, re.lastIndex - 1));
      lastArgEnd = re.lastIndex;
    }
    if (depth === 0) {
      args.push(rest.substring(lastArgEnd, re.lastIndex - 1));
      return args;
    }
  }
  return [];
}

/** CHDatasource.applyConditionalAll, from the last call to the first. */
export function applyConditionalAll(rawQuery: string, variables: Record<string, VariableState>): string {
  const macro = '$__conditionalAll(';
  let query = rawQuery;
  for (let at = query.lastIndexOf(macro); at !== -1; at = query.lastIndexOf(macro)) {
    const params = macroArgs(query, at + macro.length - 1);
    if (params.length !== 2) return query;
    const [condition, variableArg] = params as [string, string];
    const name = /(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/.exec(variableArg.trim())?.[0];
    let phrase = condition;
    if (name !== undefined && name in variables) {
      const value = String(variables[name]!.value);
      if (value === '' || value === ALL) phrase = '1=1';
    }
    query = query.replace(`${macro}${condition},${variableArg})`, phrase);
  }
  return query;
}

const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

const singleQuote = (value: string | string[]) => {
  const quote = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
  return Array.isArray(value) ? value.map(quote).join(',') : quote(value);
};

/** CHDatasource.format, used when the reference names no format. */
const pluginFormat = (value: string | string[]) => (Array.isArray(value) ? `'${value.join("','")}'` : value);

function resolved(variable: VariableState): string | string[] {
  const all = Array.isArray(variable.value) ? variable.value.includes(ALL) : variable.value === ALL;
  if (!all) return variable.value;
  if (!variable.options) throw new Error('All is selected but the options are unknown');
  return variable.options;
}

export function replaceVariables(text: string, variables: Record<string, VariableState>): string {
  return text.replace(VARIABLE_REGEX, (match, var1?: string, var2?: string, fmt2?: string, var3?: string, fieldPath?: string, fmt3?: string) => {
    const name = var1 ?? var2 ?? var3!;
    const variable = variables[name];
    if (!variable) return match; // Grafana leaves unknown names (and the plugin's $__ macros) alone
    if (fieldPath) throw new Error(`field paths are not supported: ${match}`);
    const format = fmt2 ?? fmt3;
    const value = resolved(variable);
    if (format === undefined) return pluginFormat(value);
    if (format === 'singlequote') return singleQuote(value);
    throw new Error(`variable format not supported here: ${match}`);
  });
}

type Macro = (scope: QueryScope, args: string[]) => string;

const seconds = (ms: number) => Math.floor(ms / 1000);
const dateTime = (ms: number) => `toDateTime(${seconds(ms)})`;
const dateTime64 = (ms: number) => `fromUnixTimestamp64Milli(${ms})`;
// The backend's time.Time is in the server's zone; Grafana's image runs in UTC.
const date = (ms: number) => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;
const intervalSeconds = (scope: QueryScope) => Math.trunc(Math.max(scope.intervalMs / 1000, 1));

function oneArg(name: string, args: string[]): string {
  if (args.length !== 1) throw new Error(`$__${name}: expected 1 argument, received ${args.length}`);
  return args[0]!;
}

const MACROS: Record<string, Macro> = {
  fromTime: (s) => dateTime(s.from),
  toTime: (s) => dateTime(s.to),
  fromTime_ms: (s) => dateTime64(s.from),
  toTime_ms: (s) => dateTime64(s.to),
  timeFilter: (s, a) => { const c = oneArg('timeFilter', a); return `${c} >= ${dateTime(s.from)} AND ${c} <= ${dateTime(s.to)}`; },
  timeFilter_ms: (s, a) => { const c = oneArg('timeFilter_ms', a); return `${c} >= ${dateTime64(s.from)} AND ${c} <= ${dateTime64(s.to)}`; },
  dateFilter: (s, a) => { const c = oneArg('dateFilter', a); return `${c} >= ${date(s.from)} AND ${c} <= ${date(s.to)}`; },
  timeInterval: (s, a) => `toStartOfInterval(toDateTime(${oneArg('timeInterval', a)}), INTERVAL ${intervalSeconds(s)} second)`,
  timeInterval_ms: (s, a) => `toStartOfInterval(toDateTime64(${oneArg('timeInterval_ms', a)}, 3), INTERVAL ${Math.trunc(Math.max(s.intervalMs, 1))} millisecond)`,
  interval_s: (s) => String(intervalSeconds(s)),
};

/** sqlutil parseArgs: a bracketed list right after the name, split at depth-1 commas; [args, length] or [[], 0] without one. */
function parseArgs(text: string): [string[], number] {
  if (!text.startsWith('(')) return [[], 0];
  const args: string[] = [];
  let depth = 0;
  let arg = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' && ++depth === 1) continue;
    if (c === ')' && --depth === 0) return [[...args, arg.trim()], i + 1];
    if (c === ',' && depth === 1) {
      args.push(arg.trim());
      arg = '';
      continue;
    }
    arg += c;
  }
  throw new Error('failed to parse macro arguments (missing close bracket?)');
}

export function expandMacros(sqlText: string, scope: QueryScope): string {
  let text = sqlText;
  for (const name of Object.keys(MACROS).sort((a, b) => b.length - a.length)) {
    // All of one macro's calls are read from the text before any is replaced, as getMacroMatches does.
    const calls = [...text.matchAll(new RegExp(`\\$__${name}\\b`, 'g'))].map((found) => {
      const end = found.index + found[0].length;
      const [args, length] = parseArgs(text.slice(end));
      return { full: text.slice(found.index, end + length), args };
    });
    for (const { full, args } of calls) text = text.replaceAll(full, MACROS[name]!(scope, args));
  }
  const unknown = /\$__\w+/.exec(text);
  if (unknown) throw new Error(`macro not expanded here (not one of the plugin's): ${unknown[0]}`);
  return text;
}
