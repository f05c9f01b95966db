import { wallText } from './formats.ts';
import { word } from './words.ts';
import type { AnnualReportWithPlan } from './proposals.ts';
import { col, summaryTable, textLines, type CellKind, type ReportTable } from './tables.ts';

export function annualTables(r: AnnualReportWithPlan): ReportTable[] {
  const months = r.months.map((m) => m.month);
  const monthColumns = (kind: CellKind) => months.map((id) => col(id, id, id, kind));
  return [
    summaryTable([
      ['対象期間', 'Period', `${r.from} – ${r.to}`],
      ['環境', 'Environment', r.environment],
      ['期間の集計完了', 'Period complete', r.complete],
      ['SLO 目標 (%)', 'SLO objective (%)', r.slo.objective_percent],
      ['起票したインシデント', 'Incidents opened', r.months.reduce((n, m) => n + m.incidents_opened, 0)],
      ['可用性の傾向 (ポイント/月)', 'Availability trend (points/month)', r.trends.availability_percent_per_month],
      ['最悪 p95 の傾向 (ms/月)', 'Worst p95 trend (ms/month)', r.trends.worst_p95_ms_per_month],
      ['インシデント数の傾向 (件/月)', 'Incidents trend (per month)', r.trends.incidents_per_month],
      ['MTTR の傾向 (分/月)', 'MTTR trend (min/month)', r.trends.mttr_minutes_per_month],
      ['改善計画の項目', 'Improvement plan items', r.plan.length],
      ['作成日時', 'Generated at', `${wallText(Date.parse(r.generated_at), r.timezone)} (${r.timezone})`],
    ]),
    {
      id: 'months',
      title: { ja: '月ごとの推移', en: 'Month by month' },
      columns: [
        col('month', '月', 'Month'),
        col('targets_meeting_slo', 'SLO 達成', 'Meeting SLO', 'int'),
        col('targets', '監視対象', 'Targets', 'int'),
        col('availability_percent', '可用性 (%)', 'Availability (%)', 'percent'),
        col('lowest_availability_percent', '最低可用性・保守除く (%)', 'Lowest excl. maintenance (%)', 'percent'),
        col('worst_p95_ms', '最悪 p95 (ms)', 'Worst p95 (ms)', 'ms'),
        col('incidents_opened', 'インシデント', 'Incidents', 'int'),
        col('mtta_minutes', 'MTTA (分)', 'MTTA (min)', 'minutes'),
        col('mttr_minutes', 'MTTR (分)', 'MTTR (min)', 'minutes'),
        col('open_at_month_end', '月末未解決', 'Open at month end', 'int'),
        col('hosts_over_threshold', 'CPU 超過ホスト', 'Hosts over CPU threshold', 'int'),
        col('error_lines', 'エラーログ', 'Error lines', 'int'),
      ],
      rows: r.months,
    },
    {
      id: 'targets',
      title: { ja: '監視対象別 5 秒以内の割合 (%) と傾向', en: 'Share within 5 s per target (%), with trends' },
      columns: [
        col('target', '監視対象', 'Target'),
        col('within_target_percent', '年間', 'Year', 'percent'),
        col('months_slo_missed', '未達月数', 'Months missed', 'int'),
        col('availability_trend_per_month', '可用性の傾向 (ポイント/月)', 'Availability trend (points/month)', 'percent'),
        col('p95_trend_ms_per_month', 'p95 の傾向 (ms/月)', 'p95 trend (ms/month)', 'ms'),
        ...monthColumns('percent'),
      ],
      rows: r.targets.map(({ monthly, ...t }) => {
        const trend = r.target_trends.find((x) => x.target === t.target);
        return { ...t, availability_trend_per_month: trend?.availability_trend_per_month ?? null, p95_trend_ms_per_month: trend?.p95_trend_ms_per_month ?? null, ...monthly };
      }),
    },
    {
      id: 'hosts',
      title: { ja: 'ホスト別 CPU p95 (%)', en: 'CPU p95 per host (%)' },
      columns: [col('host', 'ホスト', 'Host'), col('threshold_percent', 'しきい値', 'Threshold', 'percent'), col('peak_percent', '最大', 'Peak', 'percent'), col('months_over_threshold', '超過月数', 'Months over', 'int'), col('p95_trend_per_month', '傾向 (/月)', 'Trend (/month)', 'percent'), ...monthColumns('percent')],
      rows: r.hosts.map(({ monthly, ...h }) => ({ ...h, ...monthly })),
    },
    {
      id: 'root_causes',
      title: { ja: '根本原因', en: 'Root causes' },
      columns: [col('name', '根本原因', 'Root cause'), col('count', '件数', 'Count', 'int')],
      rows: Object.entries(r.root_causes).map(([code, count]) => ({ name: word('root_cause', code, 'ja'), name_en: word('root_cause', code, 'en'), count })),
    },
    {
      id: 'recurring',
      title: { ja: '繰り返し発生したインシデント', en: 'Recurring incidents' },
      columns: [col('title', '件名', 'Title'), col('occurrences', '回数', 'Times', 'int'), col('permanent_fix', '恒久対策あり', 'Permanent fix', 'bool'), col('tickets', 'チケット', 'Tickets')],
      rows: r.recurring.map((x) => ({ title: x.title, title_en: x.title_en, occurrences: x.occurrences, permanent_fix: x.permanent_fix, tickets: x.tickets.join(', ') })),
    },
    {
      id: 'plan',
      title: { ja: '改善計画', en: 'Improvement plan' },
      columns: [col('text', `内容（${word('text', r.plan_text.status, 'ja')}）`, `Item (${word('text', r.plan_text.status, 'en')})`)],
      rows: textLines(r.plan_text),
    },
  ];
}
