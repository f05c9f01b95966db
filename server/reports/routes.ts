import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, badRequest } from '../http/errors.ts';
import { buildMonthlyReport, type ReportDeps } from './monthly.ts';
import { buildAnnualReport } from './annual.ts';
import { buildCapacityReview, type Progress } from './capacity.ts';
import { monthOf } from './period.ts';
import { reportXlsx, tableCsv, wallText } from './formats.ts';
import { annualPage, capacityPage, monthlyPage } from './page.ts';
import { capacityTables, monthlyTables, type Language, type ReportTable } from './tables.ts';
import { annualTables } from './annual-tables.ts';
import { ReportTexts } from './texts.ts';
import { withPlan, withProposals } from './proposals.ts';
import { reportTextRoutes } from './texts-routes.ts';

export interface ReportRoutesOptions {
  deps: ReportDeps;
  environments: string[];
}

const Format = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('xlsx'), Type.Literal('csv')], { default: 'json', description: 'html: a printable A4 page' }));
const common = {
  environment: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'default: the first configured environment' })),
  format: Format,
  table: Type.Optional(Type.String({ maxLength: 32, description: 'for csv: which table (see the error for the list)' })),
  lang: Type.Optional(Type.Union([Type.Literal('ja'), Type.Literal('en')], { default: 'ja' })),
};
const MonthlyQuery = Type.Object({ month: Type.String({ description: 'the month, YYYY-MM; days start at 00:00 in the configured time zone' }), ...common }, { additionalProperties: false });
const CapacityQuery = Type.Object(common, { additionalProperties: false });
const AnnualQuery = Type.Object({ from: Type.String({ description: 'the first of 12 consecutive months, YYYY-MM' }), ...common }, { additionalProperties: false });

const TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8', html: 'text/html; charset=utf-8' } as const;
const NDJSON = 'application/x-ndjson';

interface Rendered {
  json: { timezone: string };
  name: string;
  title: string;
  tables: () => ReportTable[];
  page: (lang: Language) => string;
}

/**
 * Reports (item 9): the monthly report and the annual analysis as JSON, a
 * printable page, XLSX, or CSV per table. Every issue enters the audit
 * trail. Asked with `Accept: application/x-ndjson`, a report answers with
 * its progress as NDJSON lines and then the file itself (base64) in the last.
 */
export async function reportRoutes(app: FastifyInstance, options: ReportRoutesOptions): Promise<void> {
  const { deps, environments } = options;
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const texts = await ReportTexts.open(deps.storage, deps.now);
  const environmentOf = (asked: string | undefined) => {
    const environment = asked ?? environments[0]!;
    if (!environments.includes(environment)) throw badRequest('unknown_environment', `unknown environment "${environment}" (configured: ${environments.join(', ')})`, [{ field: 'environment', reason: 'not configured' }]);
    return environment;
  };

  routes.get('/api/v1/reports/monthly', { config: { access: 'viewer', audit: 'at_stream_end' }, schema: { tags: ['reports'], summary: 'The monthly report of one environment (item 9)', querystring: MonthlyQuery } }, async (request, reply) => {
    const q = request.query;
    const environment = environmentOf(q.environment);
    const month = monthOf(q.month, deps.timezone);
    if (month.from > deps.now()) throw badRequest('future_month', `${q.month} has not begun`, [{ field: 'month', reason: 'in the future' }]);
    request.auditNote = { object: { report: 'monthly', month: q.month, environment, format: q.format ?? 'json', ...(q.table ? { table: q.table } : {}) } };
    return answer(request, reply, q, async (progress) => {
      const report = await buildMonthlyReport(deps, q.month, environment, { texts, progress });
      return { json: report, name: `mimamori-monthly-${q.month}-${environment}`, title: `${q.month} ${environment}`, tables: () => monthlyTables(report), page: (lang) => monthlyPage(report, monthlyTables(report), lang) };
    });
  });

  routes.get('/api/v1/reports/annual', { config: { access: 'viewer', audit: 'at_stream_end' }, schema: { tags: ['reports'], summary: 'The annual analysis: 12 months side by side and a drafted improvement plan (item 9)', querystring: AnnualQuery } }, async (request, reply) => {
    const q = request.query;
    const environment = environmentOf(q.environment);
    monthOf(q.from, deps.timezone, 'from');
    request.auditNote = { object: { report: 'annual', from: q.from, environment, format: q.format ?? 'json', ...(q.table ? { table: q.table } : {}) } };
    return answer(request, reply, q, async (progress) => {
      const report = withPlan(await buildAnnualReport(deps, q.from, environment, progress), texts);
      return { json: report, name: `mimamori-annual-${q.from}-${environment}`, title: `${report.from}–${report.to} ${environment}`, tables: () => annualTables(report), page: (lang) => annualPage(report, annualTables(report), lang) };
    });
  });

  routes.get('/api/v1/reports/capacity', { config: { access: 'viewer', audit: 'at_stream_end' }, schema: { tags: ['reports'], summary: 'The capacity review: CPU per host against its agreed threshold, with the forecast crossing (item 18)', querystring: CapacityQuery } }, async (request, reply) => {
    const q = request.query;
    const environment = environmentOf(q.environment);
    request.auditNote = { object: { report: 'capacity', environment, format: q.format ?? 'json', ...(q.table ? { table: q.table } : {}) } };
    return answer(request, reply, q, async (progress) => {
      const review = withProposals(await buildCapacityReview(deps, environment, { progress }), texts);
      const day = wallText(Date.parse(review.to) - 1, review.timezone).slice(0, 10); // the last whole day read
      return { json: review, name: `mimamori-capacity-${day}-${environment}`, title: `${day} ${environment}`, tables: () => capacityTables(review), page: (lang) => capacityPage(review, capacityTables(review), lang) };
    });
  });

  await reportTextRoutes(app, { deps, texts, environmentOf });
}

/** Builds the report and writes it in the asked format, or streams progress lines and then the file when asked for NDJSON. */
async function answer(request: FastifyRequest, reply: FastifyReply, q: { format?: string; table?: string; lang?: Language }, build: (progress: Progress) => Promise<Rendered>) {
  const format = (q.format ?? 'json') as 'json' | 'html' | 'xlsx' | 'csv';
  const lang = q.lang ?? 'ja';
  const file = async (r: Rendered): Promise<{ type: string; name: string; bytes: Buffer }> => {
    if (format === 'json') return { type: 'application/json; charset=utf-8', name: `${r.name}.json`, bytes: Buffer.from(JSON.stringify(r.json)) };
    if (format === 'html') return { type: TYPES.html, name: `${r.name}.html`, bytes: Buffer.from(r.page(lang)) };
    const tables = r.tables();
    if (format === 'xlsx') return { type: TYPES.xlsx, name: `${r.name}.xlsx`, bytes: await reportXlsx(tables, lang, r.json.timezone, r.title) };
    const table = tables.find((t) => t.id === q.table);
    if (!table) throw new AppError(400, 'unknown_table', `format=csv needs table=<one of ${tables.map((t) => t.id).join(', ')}>`, [{ field: 'table', reason: q.table ? 'unknown table' : 'required for csv' }]);
    return { type: TYPES.csv, name: `${r.name}-${table.id}.csv`, bytes: await tableCsv(table, lang, r.json.timezone) };
  };
  if (!(request.headers.accept ?? '').includes(NDJSON)) {
    const rendered = await build(() => undefined);
    if (format === 'json') return rendered.json;
    const out = await file(rendered);
    // The printable page opens in the browser (to print); files download.
    const disposition = format === 'html' ? 'inline' : 'attachment';
    return reply.type(out.type).header('content-disposition', `${disposition}; filename="${out.name}"`).send(out.bytes);
  }
  // Progress first, then the file: a refusal found while building still arrives as an error line.
  const stream = new PassThrough();
  const line = (value: object) => stream.write(`${JSON.stringify(value)}\n`);
  void (async () => {
    try {
      const out = await file(await build((done, total, phase) => line({ progress: { done, total, phase } })));
      line({ file: { name: out.name, type: out.type, bytes: out.bytes.length, base64: out.bytes.toString('base64') } });
    } catch (error) {
      const e = error instanceof AppError ? error : new AppError(500, 'internal_error', 'internal error; see the server log');
      if (!(error instanceof AppError)) request.log.error({ err: error }, 'report failed');
      // The 200 went out with the first line: the audit entry, written at the stream's end, records this instead.
      request.auditOutcome = { status: e.status, detail: e.code };
      line({ error: { status: e.status, code: e.code, message: e.message, details: e.details } });
    } finally {
      stream.end();
    }
  })();
  return reply.type(NDJSON).header('cache-control', 'no-store').send(stream);
}
