// SQL built by a tagged template whose holes become typed ClickHouse query
// parameters ({p0:String}), never concatenated text. Nested `sql` fragments
// are spliced in with their parameters renumbered.

export interface Sql {
  readonly text: string;
  readonly params: Record<string, unknown>;
}

/** A value with an explicit ClickHouse type, e.g. typed(5, 'UInt32'). */
export class Typed {
  constructor(
    readonly value: unknown,
    readonly type: string,
  ) {}
}

export const typed = (value: unknown, type: string) => new Typed(value, type);
/** Milliseconds since the epoch (or a Date) as DateTime64(3, 'UTC'). */
export const ts = (value: number | Date) => new Typed(dateTimeText(new Date(value).getTime()), "DateTime64(3, 'UTC')");

type Hole = Sql | Typed | string | number | boolean | string[];

function typeOf(value: Exclude<Hole, Sql | Typed>): string {
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Bool';
  if (Array.isArray(value)) return 'Array(String)';
  return Number.isInteger(value) ? 'Int64' : 'Float64';
}

function isSql(value: unknown): value is Sql {
  return typeof value === 'object' && value !== null && 'text' in value && 'params' in value;
}

export function sql(strings: TemplateStringsArray, ...holes: Hole[]): Sql {
  let text = strings[0]!;
  const params: Record<string, unknown> = {};
  let next = 0;
  const bind = (value: unknown, type: string) => {
    const name = `p${next++}`;
    params[name] = value;
    return `{${name}:${type}}`;
  };
  holes.forEach((hole, i) => {
    if (isSql(hole)) {
      // Renumber the fragment's parameters into this statement's namespace.
      text += hole.text.replace(/\{(p\d+):([^}]+)\}/g, (_m, name: string, type: string) => bind(hole.params[name], type));
    } else if (hole instanceof Typed) {
      text += bind(hole.value, hole.type);
    } else {
      text += bind(hole, typeOf(hole));
    }
    text += strings[i + 1]!;
  });
  return { text, params };
}

/** Joins fragments with a separator (e.g. AND-ed filters). */
export function join(parts: Sql[], separator: string): Sql {
  if (parts.length === 0) return { text: '', params: {} };
  const strings = Object.assign(['', ...parts.slice(1).map(() => separator), ''], { raw: [] as string[] });
  return sql(strings as unknown as TemplateStringsArray, ...parts);
}

/** Trusted SQL text with no values (identifiers chosen from a fixed list). */
export const raw = (text: string): Sql => ({ text, params: {} });

/** A time as ClickHouse's DateTime64(3) text ("2026-11-26 09:00:00.123", UTC) for JSON inserts. */
export const dateTimeText = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
