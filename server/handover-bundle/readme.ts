import type { ManifestTable } from './manifest.ts';

/** README.md inside the bundle: how the next vendor reads it without Mimamori. */
export function bundleReadme(tables: ManifestTable[]): string {
  const rows = tables.map((t) => `| ${t.name} | ${t.rows.toLocaleString('en-US')} | ${t.from ?? '–'} … ${t.to ?? '–'} | ${t.about.ja} / ${t.about.en} |`).join('\n');
  return `# Mimamori 引き継ぎ一式 / Mimamori hand-over bundle

この一式は Mimamori が蓄積・学習したすべてです。Mimamori がなくても読めます。
This bundle is everything Mimamori accumulated and learned. It can be read without Mimamori.

## 中身 / Contents

- \`<table>.parquet\` — 各テーブルの全行（Parquet、ClickHouse が書き出したもの）/ every row of each table (Parquet, written by ClickHouse)
- \`<table>.csv\` — 同じ行の CSV（UTF-8、BOM 付き：Excel でそのまま開けます）/ the same rows as CSV (UTF-8 with BOM, so Excel opens Japanese text correctly)
- \`<table>.native\` — 集計テーブルのみ：集計の途中状態（ClickHouse Native 形式、Mimamori への再取り込み用）/ rollup tables only: their aggregate states (ClickHouse Native format, for importing into Mimamori again). Parquet and CSV hold the final values (e.g. \`quantiles_ms\` as [p50, p90, p95, p99]).
- \`schema.sql\` — テーブル定義 / table definitions
- \`learned-state.json\` — 学習したログパターンの木とインシデントの関連 / learned pattern trees and incident links
- \`manifest.json\` — 各ファイルの SHA-256、行数、期間、全列の意味（日本語・英語）/ each file's SHA-256, row counts, time ranges, and the meaning of every column (ja/en)

時刻はすべて UTC です。/ All times are UTC. パスワードのハッシュと API トークンの秘密は含みません（列は空）。/ Password hashes and API token secrets are not included (the columns are empty).

## テーブル / Tables

| table | rows | from … to (UTC) | 内容 / contents |
|---|---:|---|---|
${rows}

## 読み方 / How to read it

DuckDB:

\`\`\`sql
SELECT environment, level, count(*) FROM 'logs.parquet' GROUP BY ALL;
SELECT target, avg(total_ms) FROM read_parquet('probes.parquet') GROUP BY target;
\`\`\`

pandas:

\`\`\`python
import pandas as pd
probes = pd.read_parquet("probes.parquet")
tickets = pd.read_csv("ticket_events.csv", encoding="utf-8-sig")
\`\`\`

clickhouse-local:

\`\`\`sh
clickhouse local -q "SELECT ticket, type, at FROM file('ticket_events.parquet') ORDER BY ticket, seq"
clickhouse local -q "SELECT * FROM file('metrics_1h.native', Native) LIMIT 5"   # aggregate states
\`\`\`

Excel: 「データ」→「テキストまたは CSV から」で \`.csv\` を開きます（BOM 付き UTF-8）。/ open a \`.csv\` directly or via Data → From Text/CSV.

チェックサムの確認 / checking the checksums: \`sha256sum <file>\` と manifest.json の \`sha256\` を比べます / compare with \`sha256\` in manifest.json.

監査証跡 \`audit_log\` はハッシュチェーンです：各行の \`hash\` は SHA-256(\`prev_hash\` + "\\n" + JSON [seq, at(ms), actor, role, via, address, action, object, result, status, detail])。
The audit trail is a hash chain: each row's \`hash\` is SHA-256 of \`prev_hash\`, a newline, and the JSON array [seq, at (epoch ms), actor, role, via, address, action, object, result, status, detail]; the first row's \`prev_hash\` is 64 zeros.

Mimamori へ取り込む / into a new Mimamori: \`mimamori import handover <this folder>\` (see docs/OPERATIONS.md).
`;
}
