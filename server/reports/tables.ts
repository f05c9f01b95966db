import { wallText } from './formats.ts';
import { word } from './words.ts';
import type { MonthlyReport } from './monthly.ts';
import type { CapacityReviewWithProposals, ShownText } from './proposals.ts';

export type Language = 'ja' | 'en';
export type CellKind = 'text' | 'int' | 'percent' | 'ms' | 'minutes' | 'time' | 'bool';
export type Cell = string | number | boolean | null;

export interface Column {
  key: string;
  title: Record<Language, string>;
  kind: CellKind;
}

/** One section of a report as a table: the one shape CSV, XLSX and the printable page are written from. A row's `<key>_en`, when present, is the English of `<key>`. */
export interface ReportTable {
  id: string;
  title: Record<Language, string>;
  columns: Column[];
  rows: Record<string, Cell>[];
  /** Remarks printed under the table (the page and XLSX; CSV stays a plain table). */
  notes?: Record<Language, string>[];
  /** Rows that must stand out (e.g. a regression): filled red in the XLSX, with `column`'s cell in bold red. */
  flag?: { column: string; row: (row: Record<string, Cell>) => boolean };
}

/** A column with its ja/en title. */
export const col = (key: string, ja: string, en: string, kind: CellKind = 'text'): Column => ({ key, title: { ja, en }, kind });

/** A record of counts as rows of (group, name, count), in words. */
const counted = (counts: Record<string, number>, group: string) =>
  Object.entries(counts).map(([code, n]) => ({ group: word('group', group, 'ja'), group_en: word('group', group, 'en'), name: word(group, code, 'ja'), name_en: word(group, code, 'en'), count: n }));

/** An operator's text as rows, one a line, ja and en side by side. */
export function textLines(t: ShownText): Record<string, Cell>[] {
  const ja = t.text_ja.split('\n');
  const en = t.text_en.split('\n');
  return Array.from({ length: Math.max(ja.length, en.length) }, (_, i) => ({ text: ja[i] ?? '', text_en: en[i] ?? '' }));
}

/** A report's first table: items in ja and en with their values. */
export function summaryTable(items: readonly (readonly [string, string, Cell])[]): ReportTable {
  return {
    id: 'summary',
    title: { ja: '概要', en: 'Summary' },
    columns: [col('item', '項目', 'Item'), col('value', '値', 'Value')],
    rows: items.map(([ja, en, value]) => ({ item: ja, item_en: en, value })),
  };
}

/** A ledger code as its Japanese word, with the English beside it (`<key>_en`). */
const coded = (kind: string, key: string, code: string | null) => ({ [key]: word(kind, code, 'ja'), [`${key}_en`]: word(kind, code, 'en') });

export function monthlyTables(r: MonthlyReport): ReportTable[] {
  const i = r.incidents;
  return [
    summaryTable([
      ['対象月', 'Month', r.month],
      ['環境', 'Environment', r.environment],
      ['タイムゾーン', 'Time zone', r.timezone],
      ['月の集計完了', 'Month complete', r.complete],
      ['応答目標 (ms)', 'Response target (ms)', r.slo.response_target_ms],
      ['SLO 目標 (%)', 'SLO objective (%)', r.slo.objective_percent],
      ['監視対象数', 'Targets', r.targets.length],
      ['SLO 達成の対象数', 'Targets meeting the SLO', r.targets.filter((t) => t.slo_met).length],
      ['起票したインシデント', 'Incidents opened', i.opened],
      ['平均受付時間 MTTA (分)', 'MTTA (min)', i.mtta_minutes],
      ['平均解決時間 MTTR (分)', 'MTTR (min)', i.mttr_minutes],
      ['月末の未解決', 'Open at month end', i.open_at_month_end],
      ['実施した暫定対処', 'Workarounds executed', i.workarounds_executed],
      ['しきい値を超えたホスト', 'Hosts over threshold', r.hosts.filter((h) => h.over_threshold).length],
      ['見直し提案が必要なホスト', 'Hosts needing a capacity proposal', r.hosts.filter((h) => h.proposal_needed).length],
      ['作成日時', 'Generated at', `${wallText(Date.parse(r.generated_at), r.timezone)} (${r.timezone})`],
    ]),
    {
      id: 'targets',
      title: { ja: '可用性と応答時間', en: 'Availability and response time' },
      columns: [
        col('target', '監視対象', 'Target'),
        col('probes', '計測数', 'Probes', 'int'),
        col('availability_percent', '可用性 (%)', 'Availability (%)', 'percent'),
        col('availability_excluding_maintenance_percent', '可用性・保守除く (%)', 'Availability excl. maintenance (%)', 'percent'),
        col('maintenance_minutes', '保守 (分)', 'Maintenance (min)', 'minutes'),
        col('p50_ms', 'p50 (ms)', 'p50 (ms)', 'ms'),
        col('p95_ms', 'p95 (ms)', 'p95 (ms)', 'ms'),
        col('p99_ms', 'p99 (ms)', 'p99 (ms)', 'ms'),
        col('within_target_percent', '5秒以内 (%)', 'Within 5 s (%)', 'percent'),
        col('slo_met', 'SLO 達成', 'SLO met', 'bool'),
        col('error_budget_remaining_percent', 'エラーバジェット残 (%)', 'Error budget left (%)', 'percent'),
      ],
      rows: r.targets,
      notes: r.notes.filter((n) => n.section === 'targets'),
    },
    {
      id: 'rum',
      title: { ja: '実ユーザーのページ表示', en: 'Real-user page loads' },
      columns: [col('app', 'アプリ', 'App'), col('page', 'ページ', 'Page'), col('page_loads', '表示数', 'Page loads', 'int'), col('load_p75_ms', '表示 p75 (ms)', 'Load p75 (ms)', 'ms'), col('load_p95_ms', '表示 p95 (ms)', 'Load p95 (ms)', 'ms'), col('lcp_p75_ms', 'LCP p75 (ms)', 'LCP p75 (ms)', 'ms'), col('errors', 'エラー', 'Errors', 'int')],
      rows: r.rum,
    },
    {
      id: 'incidents',
      title: { ja: 'インシデント', en: 'Incidents' },
      columns: [
        col('number', '番号', 'Number'),
        col('type', '種別', 'Type'),
        col('severity', '重要度', 'Severity'),
        col('title', '件名', 'Title'),
        col('status', '状態', 'Status'),
        col('opened_at', '起票', 'Opened', 'time'),
        col('acknowledged_at', '受付', 'Acknowledged', 'time'),
        col('resolved_at', '解決', 'Resolved', 'time'),
        col('root_cause', '根本原因', 'Root cause'),
        col('warranty', '瑕疵判定', 'Warranty'),
      ],
      rows: i.tickets.map((t) => ({ ...t, ...coded('type', 'type', t.type), ...coded('severity', 'severity', t.severity), ...coded('status', 'status', t.status), ...coded('root_cause', 'root_cause', t.root_cause), ...coded('warranty', 'warranty', t.warranty) })),
    },
    {
      id: 'incident_counts',
      title: { ja: 'インシデント集計', en: 'Incident counts' },
      columns: [col('group', '区分', 'By'), col('name', '値', 'Value'), col('count', '件数', 'Count', 'int')],
      rows: [...counted(i.by_severity, 'severity'), ...counted(i.by_type, 'type'), ...counted(i.by_root_cause, 'root_cause'), ...counted(i.warranty, 'warranty')],
    },
    {
      id: 'hosts',
      title: { ja: 'CPU 使用率とキャパシティレビュー', en: 'CPU use and the capacity review' },
      columns: [
        col('host', 'ホスト', 'Host'),
        col('threshold_percent', 'しきい値 (%)', 'Threshold (%)', 'percent'),
        col('mean_percent', '平均 (%)', 'Mean (%)', 'percent'),
        col('p95_percent', 'p95 (%)', 'p95 (%)', 'percent'),
        col('peak_percent', '最大 (%)', 'Peak (%)', 'percent'),
        col('above_threshold_percent', 'しきい値超過時間 (%)', 'Time above threshold (%)', 'percent'),
        col('over_threshold', '超過', 'Over', 'bool'),
        col('forecast', '傾向', 'Trend'),
        col('crosses_at', '到達予測', 'Crosses', 'time'),
        col('crosses_range', '範囲 (95%)', 'Range (95 %)'),
        col('proposal', '見直し提案', 'Proposal'),
      ],
      rows: r.hosts.map((h) => ({
        ...h,
        forecast: `${word('forecast', h.forecast, 'ja')}（${h.forecast_window_days}日）`,
        forecast_en: `${word('forecast', h.forecast, 'en')} (${h.forecast_window_days} days)`,
        crosses_range: h.crosses_earliest && h.crosses_latest ? `${wallText(Date.parse(h.crosses_earliest), r.timezone).slice(0, 10)} – ${wallText(Date.parse(h.crosses_latest), r.timezone).slice(0, 10)}` : null,
        proposal: word('proposal', h.proposal_status ?? 'none', 'ja'),
        proposal_en: word('proposal', h.proposal_status ?? 'none', 'en'),
      })),
      notes: [
        {
          ja: `傾向・到達予測・提案はキャパシティレビュー（${wallText(Date.parse(r.capacity_review.from), r.timezone).slice(0, 10)} からの 90 日、予測期間 ${r.capacity_review.horizon_days} 日）による。`,
          en: `Trend, crossing and proposal from the capacity review (the 90 days from ${wallText(Date.parse(r.capacity_review.from), r.timezone).slice(0, 10)}, horizon ${r.capacity_review.horizon_days} days).`,
        },
        ...r.notes.filter((n) => n.section === 'hosts'),
      ],
    },
    {
      id: 'log_errors',
      title: { ja: 'ログのエラー上位（今月）', en: 'Top log errors this month' },
      columns: [col('service', 'サービス', 'Service'), col('level', 'レベル', 'Level'), col('lines', '今月', 'This month', 'int'), col('previous_month', '前月', 'Previous month', 'int'), col('change', '増減', 'Change', 'int'), col('change_percent', '増減 (%)', 'Change (%)', 'percent')],
      rows: r.log_errors,
    },
    {
      id: 'log_changes',
      title: { ja: 'ログのエラー増減（前月比）', en: 'Log error changes vs last month' },
      columns: [col('direction', '増減', 'Direction'), col('service', 'サービス', 'Service'), col('level', 'レベル', 'Level'), col('previous_month', '前月', 'Previous month', 'int'), col('lines', '今月', 'This month', 'int'), col('change', '差', 'Change', 'int'), col('change_percent', '増減 (%)', 'Change (%)', 'percent')],
      rows: r.log_changes.map((x) => ({ ...x, direction: word('direction', x.direction, 'ja'), direction_en: word('direction', x.direction, 'en') })),
    },
    {
      id: 'releases',
      title: { ja: 'リリースと実施判断', en: 'Releases and their decisions' },
      columns: [col('version', 'バージョン', 'Version'), col('released_at', 'リリース日時', 'Released', 'time'), col('summary', '内容', 'Summary'), col('load_tests', '負荷試験', 'Load tests', 'int'), col('decision', '判断', 'Decision'), col('decided_by', '判断者', 'By'), col('decision_comment', 'コメント', 'Comment')],
      rows: r.releases.map((x) => ({ ...x, decision: word('decision', x.decision, 'ja'), decision_en: word('decision', x.decision, 'en') })),
    },
  ];
}

export function capacityTables(r: CapacityReviewWithProposals): ReportTable[] {
  const forecast = (f: CapacityReviewWithProposals['hosts'][number]['trend_30_days']) => ({ kind: word('forecast', f.kind, 'ja'), kind_en: word('forecast', f.kind, 'en'), slope: f.slope_per_day, at: f.crosses_at, earliest: f.earliest, latest: f.latest });
  return [
    {
      id: 'hosts',
      title: { ja: 'CPU 容量の見通し', en: 'CPU capacity outlook' },
      columns: [
        col('host', 'ホスト', 'Host'),
        col('threshold_percent', '合意しきい値 (%)', 'Agreed threshold (%)', 'percent'),
        col('latest_p95_percent', '直近日の p95 (%)', 'Latest day p95 (%)', 'percent'),
        col('days_over_threshold', '超過日数', 'Days over', 'int'),
        col('f30', '30日傾向', '30-day trend'),
        col('f30_at', '30日: 到達予測', '30 days: crosses', 'time'),
        col('f90', '90日傾向', '90-day trend'),
        col('f90_at', '90日: 到達予測', '90 days: crosses', 'time'),
        col('f90_range', '90日: 範囲 (95%)', '90 days: range (95 %)'),
        col('proposal_needed', '提案が必要', 'Proposal needed', 'bool'),
      ],
      rows: r.hosts.map((h) => {
        const f30 = forecast(h.trend_30_days);
        const f90 = forecast(h.trend_90_days);
        const range = f90.earliest && f90.latest ? `${wallText(Date.parse(f90.earliest), r.timezone).slice(0, 10)} – ${wallText(Date.parse(f90.latest), r.timezone).slice(0, 10)}` : '—';
        return {
          host: h.host,
          threshold_percent: h.threshold_percent,
          latest_p95_percent: h.latest_p95_percent,
          days_over_threshold: h.days_over_threshold,
          f30: f30.slope === null ? f30.kind : `${f30.kind} (${f30.slope > 0 ? '+' : ''}${f30.slope}/日)`,
          f30_en: f30.slope === null ? f30.kind_en : `${f30.kind_en} (${f30.slope > 0 ? '+' : ''}${f30.slope}/day)`,
          f30_at: f30.at,
          f90: f90.slope === null ? f90.kind : `${f90.kind} (${f90.slope > 0 ? '+' : ''}${f90.slope}/日)`,
          f90_en: f90.slope === null ? f90.kind_en : `${f90.kind_en} (${f90.slope > 0 ? '+' : ''}${f90.slope}/day)`,
          f90_at: f90.at,
          f90_range: range,
          proposal_needed: h.proposal_needed,
        };
      }),
    },
    {
      id: 'proposals',
      title: { ja: 'キャパシティ見直しの提案', en: 'Capacity-review proposals' },
      columns: [col('host', 'ホスト', 'Host'), col('status', '状態', 'Status'), col('by', '作成者', 'By'), col('at', '日時', 'At', 'time'), col('text', '提案', 'Proposal')],
      rows: r.hosts.flatMap((h) => (h.proposal ? [{ host: h.host, status: word('text', h.proposal.status, 'ja'), status_en: word('text', h.proposal.status, 'en'), by: h.proposal.by, at: h.proposal.at, text: h.proposal.text_ja, text_en: h.proposal.text_en }] : [])),
    },
  ];
}
