import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ReleaseBook } from './book.ts';
import type { Criteria } from './judgement.ts';
import type { ReleaseView } from './views.ts';
import { reportPage } from '../reports/page.ts';
import { reportXlsx } from '../reports/formats.ts';
import { col, type Language, type ReportTable } from '../reports/tables.ts';
import { word } from '../reports/words.ts';
import { isRegression, regressionBand, regressionCell } from './report-highlight.ts';

/** A code in both languages, as a row's `<field>` and `<field>_en`. */
const both = (kind: 'verdict' | 'criterion' | 'decision', code: string, field: string) => ({ [field]: word(kind, code, 'ja'), [`${field}_en`]: word(kind, code, 'en') });

/** The note under the thresholds of a --out json run: its sub-metrics' thresholds were not in the file. */
function unseenSubmetricThresholds(run: string, submetrics: string[]): Record<Language, string> {
  const listed = submetrics.length ? submetrics.join(', ') : null;
  return {
    ja: `${run}: k6 の --out json にはサブメトリクス（例: http_req_duration{scenario:ingest}）のしきい値が含まれないため、それらは判定していない${listed ? `（ファイルにあるサブメトリクス: ${listed}）` : ''}。`,
    en: `${run}: k6's --out json does not carry thresholds on sub-metrics (e.g. http_req_duration{scenario:ingest}), so those were not judged${listed ? ` (sub-metrics in the file: ${listed})` : ''}.`,
  };
}

/** The test-result report (item 11) as tables: the one shape the printable page and the XLSX are written from. */
export function releaseTables(r: ReleaseView, criteria: Criteria): ReportTable[] {
  const decision = r.decision ? both('decision', r.decision.decision, 'value') : { value: '未判断', value_en: 'not decided' };
  return [
    {
      id: 'summary',
      title: { ja: '概要', en: 'Summary' },
      columns: [col('item', '項目', 'Item'), col('value', '値', 'Value')],
      rows: [
        { item: '環境', item_en: 'Environment', value: r.environment },
        { item: 'バージョン', item_en: 'Version', value: r.version },
        { item: 'リリース日時', item_en: 'Released at', value: r.released_at },
        { item: '内容', item_en: 'Summary', value: r.summary },
        { item: '判定基準', item_en: 'Criteria', value: `p95 < ${criteria.p95Ms} ms, エラー率 < ${criteria.errorRatePercent} %, チェック ≥ ${criteria.checksPercent} %`, value_en: `p95 < ${criteria.p95Ms} ms, errors < ${criteria.errorRatePercent} %, checks ≥ ${criteria.checksPercent} %` },
        { item: '実施判断', item_en: 'Decision', ...decision },
      ],
    },
    {
      id: 'criteria',
      title: { ja: '試験結果の判定', en: 'Test-result judgement' },
      columns: [col('run', '試験', 'Run'), col('name', '基準', 'Criterion'), col('value', '結果', 'Value'), col('limit', '基準値', 'Limit'), col('verdict', '判定', 'Verdict')],
      rows: r.runs.flatMap((run) => run.criteria.map((c) => ({ run: run.id, ...both('criterion', c.name, 'name'), value: c.value, limit: c.limit, ...both('verdict', c.verdict, 'verdict') }))),
    },
    {
      id: 'thresholds',
      title: { ja: 'k6 のしきい値', en: 'k6 thresholds' },
      columns: [col('run', '試験', 'Run'), col('metric', 'メトリクス', 'Metric'), col('expression', '式', 'Expression'), col('verdict', '判定', 'Verdict')],
      rows: r.runs.flatMap((run) => [
        ...run.thresholds.map((t) => ({ run: run.id, metric: t.metric, expression: t.expression, ...(t.reason ? { verdict: '不合格（判定できず）', verdict_en: 'fail (could not be judged)' } : both('verdict', t.verdict, 'verdict')) })),
        ...(run.k6_passed === null ? [] : [{ run: run.id, metric: 'k6 の総合判定', metric_en: 'k6’s overall verdict', expression: 'results.passed', ...both('verdict', run.k6_passed ? 'pass' : 'fail', 'verdict') }]),
      ]),
      notes: r.runs.flatMap((run) => run.notes.map((note) => unseenSubmetricThresholds(run.id, note.submetrics))),
    },
    {
      id: 'checks',
      title: { ja: 'チェック', en: 'Checks' },
      columns: [col('run', '試験', 'Run'), col('name', 'チェック', 'Check'), col('passes', '成功', 'Passed', 'int'), col('fails', '失敗', 'Failed', 'int')],
      rows: r.runs.flatMap((run) => run.checks.map((c) => ({ run: run.id, name: c.name, passes: c.passes, fails: c.fails }))),
    },
    {
      id: 'comparison',
      title: { ja: '前回リリースとの比較', en: 'Against the previous release' },
      columns: [col('run', '試験', 'Run'), col('previous', '前回', 'Previous release'), col('name', '項目', 'Figure'), col('current', '今回', 'This run'), col('before', '前回値', 'Previous'), col('change_percent', '変化 (%)', 'Change (%)'), col('regression', '劣化', 'Regression')],
      rows: r.runs.flatMap((run) => (run.compared_with ? run.compared_with.changes.map((c) => ({ run: run.id, previous: run.compared_with!.release, ...both('criterion', c.name, 'name'), current: c.current, before: c.previous, change_percent: c.change_percent, ...regressionCell(c.regression) })) : [])),
      flag: { column: 'regression', row: isRegression },
      notes: [{ ja: `前回リリースより ${criteria.regressionMarginPercent} % を超えて悪化した項目を劣化（▲）とする。`, en: `A figure more than ${criteria.regressionMarginPercent} % worse than the previous release's is a regression (▲).` }],
    },
    {
      id: 'decisions',
      title: { ja: '実施判断の記録', en: 'Decisions' },
      columns: [col('at', '日時', 'At', 'time'), col('by', '判断者', 'By'), col('decision', '判断', 'Decision'), col('comment', 'コメント', 'Comment')],
      rows: r.decisions.map((d) => ({ at: d.at, by: d.by, ...both('decision', d.decision, 'decision'), comment: d.comment })),
    },
  ];
}

/** GET /api/v1/releases/:id/report: the test-result report as JSON, a printable page or XLSX; audited as an issue of a document. */
export async function releaseReportRoutes(fastify: FastifyInstance, options: { book: ReleaseBook; criteria: Criteria; full: (id: string) => ReleaseView; timezone: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/v1/releases/:id/report', {
    config: { access: 'viewer', audit: true },
    schema: {
      tags: ['releases'],
      summary: 'The test-result report of a release (item 11): each run judged against the criteria, the k6 thresholds, the checks, the comparison with the previous release, the decisions',
      params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
      querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('xlsx')])), lang: Type.Optional(Type.Union([Type.Literal('ja'), Type.Literal('en')])) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const release = options.full(request.params.id);
    const format = request.query.format ?? 'json';
    const lang: Language = request.query.lang ?? 'ja';
    request.auditNote = { object: { report: 'release', id: release.id, format } };
    if (format === 'json') return release;
    const tables = releaseTables(release, options.criteria);
    const title = `${lang === 'ja' ? '試験結果報告' : 'Test-result report'} ${release.version} — ${release.environment}`;
    const name = `mimamori-release-${release.environment}-${release.version.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    if (format === 'html') {
      const comparison = tables.find((t) => t.id === 'comparison')!;
      const page = reportPage({ title, environment: release.environment, period: release.released_at.slice(0, 10), timezone: options.timezone, generatedAt: new Date().toISOString(), complete: true }, tables, lang, (id) => (id === 'comparison' ? regressionBand(comparison, lang) : ''));
      return reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${name}.html"`).send(page);
    }
    const bytes = await reportXlsx(tables, lang, options.timezone, title);
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${name}.xlsx"`).send(bytes);
  });
}
