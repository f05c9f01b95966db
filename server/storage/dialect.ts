// Renders migration SQL for a single node or for a cluster.
//
// Markers in migrations/*.sql:
//   {{table:NAME}}   the table NAME (cluster: the shard-local NAME_local)
//   {{on_cluster}}   nothing, or ON CLUSTER "<cluster>"
//   {{engine:KIND}}  KIND (cluster: ReplicatedKIND with a per-table path);
//                    KIND(args) passes the engine's own arguments, e.g.
//                    {{engine:ReplacingMergeTree(version)}}
// In cluster mode every CREATE TABLE also gets a Distributed table NAME
// over NAME_local, so queries and inserts keep using the plain names. Rows
// go to a random shard, except for Replacing tables: their versions of one
// key must meet on one shard for FINAL to pick the newest, so those are
// sharded by the first ORDER BY column.

export interface Dialect {
  cluster?: string;
}

/** Where a table's rows and columns are: NAME, or on a cluster the shard-local NAME_local. */
export const localTable = (dialect: Dialect, table: string) => (dialect.cluster ? `${table}_local` : table);

const MARKER = /\{\{(table|on_cluster|engine)(?::([A-Za-z_][A-Za-z0-9_]*)(?:\(([A-Za-z0-9_, ]*)\))?)?\}\}/g;

export function renderStatement(statement: string, dialect: Dialect): string[] {
  const cluster = dialect.cluster;
  let createdTable: string | undefined;
  let replacing = false;
  const text = statement.replace(MARKER, (_all, kind: string, arg: string | undefined, engineArgs: string | undefined) => {
    if (kind === 'on_cluster') return cluster ? `ON CLUSTER ${quoteIdent(cluster)}` : '';
    if (kind === 'table') {
      createdTable ??= arg;
      return cluster ? `${arg}_local` : arg!;
    }
    replacing = arg!.startsWith('Replacing');
    if (!cluster) return engineArgs === undefined ? arg! : `${arg}(${engineArgs})`;
    const table = `${createdTable}_local`;
    return `Replicated${arg}('/clickhouse/tables/{shard}/{database}/${table}', '{replica}'${engineArgs ? `, ${engineArgs}` : ''})`;
  });
  if (!cluster || !/^\s*CREATE\s+TABLE/i.test(stripComments(statement)) || !createdTable) return [text];
  const key = replacing ? /ORDER\s+BY\s+\(?\s*([A-Za-z_][A-Za-z0-9_]*)/i.exec(text)?.[1] : undefined;
  const distributed =
    `CREATE TABLE IF NOT EXISTS ${createdTable} ON CLUSTER ${quoteIdent(cluster)} AS ${createdTable}_local ` +
    `ENGINE = Distributed(${quoteIdent(cluster)}, currentDatabase(), ${createdTable}_local, ${key ? `cityHash64(${key})` : 'rand()'})`;
  return [text, distributed];
}

/** Splits a migration file into statements on `;` at the end of a line. */
export function splitStatements(fileText: string): string[] {
  return fileText
    .split(/;\s*$/m)
    .map((s) => stripComments(s))
    .filter((s) => s.length > 0);
}

function stripComments(sqlText: string): string {
  return sqlText.replace(/^\s*--.*$/gm, '').trim();
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid cluster name "${name}"`);
  return name;
}
