import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { badRequest } from '../http/errors.ts';
import type { ReportDeps } from './monthly.ts';
import { buildCapacityReview } from './capacity.ts';
import { monthOf } from './period.ts';
import { proposalFigures } from './proposals.ts';
import type { ReportText, ReportTexts } from './texts.ts';

const tags = ['reports'];
const Kind = Type.Union([Type.Literal('capacity_proposal'), Type.Literal('improvement_plan')]);
const Text = (lang: string) => Type.String({ minLength: 1, maxLength: 20_000, description: `the text in ${lang}` });
const Id = Type.Object({ id: Type.String({ maxLength: 40 }) });
const Base = { base_version: Type.Integer({ minimum: 1, description: 'the version this edit was made from; another save since then answers 409' }) };

const view = (t: ReportText, withHistory = false) => {
  const last = t.versions[t.versions.length - 1]!;
  const version = (v: typeof last) => ({ version: v.version, status: v.status, text_ja: v.textJa, text_en: v.textEn, by: v.actor, at: new Date(v.at).toISOString() });
  return { id: t.id, kind: t.kind, environment: t.environment, subject: t.subject, ...version(last), figures: JSON.parse(last.figures) as unknown, ...(withHistory ? { versions: t.versions.map(version) } : {}) };
};

/**
 * What operators write into reports: a capacity-review proposal per host
 * (item 18) and the improvement plan of an annual analysis (item 9). Each
 * save is a new version (append-only, who and when on each, every change in
 * the audit trail); marking one proposed to the foundation, or issued, ends
 * its editing.
 */
export async function reportTextRoutes(fastify: FastifyInstance, options: { deps: ReportDeps; texts: ReportTexts; environmentOf: (asked: string | undefined) => string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { deps, texts, environmentOf } = options;

  app.get('/api/v1/reports/texts', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'Proposals and improvement plans, newest first', querystring: Type.Object({ kind: Type.Optional(Kind), environment: Type.Optional(Type.String({ maxLength: 32 })), subject: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }) },
  }, async (request) => ({ texts: texts.list(request.query).map((t) => view(t)) }));

  app.get('/api/v1/reports/texts/:id', { config: { access: 'viewer' }, schema: { tags, summary: 'One text with every version', params: Id } }, async (request) => view(texts.get(request.params.id), true));

  app.post('/api/v1/reports/texts', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Save a proposal for a host, or the improvement plan of a year, as a draft (version 1)',
      body: Type.Object({ kind: Kind, environment: Type.String({ minLength: 1, maxLength: 32 }), subject: Type.String({ minLength: 1, maxLength: 200, description: 'the host (a proposal) or the first month YYYY-MM (a plan)' }), text_ja: Text('ja'), text_en: Text('en') }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const b = request.body;
    const environment = environmentOf(b.environment);
    let figures: unknown = { from: b.subject };
    if (b.kind === 'capacity_proposal') {
      // The figures are the server's, read now: a proposal keeps what it was written from.
      const host = (await buildCapacityReview(deps, environment)).hosts.find((h) => h.host === b.subject);
      if (!host) throw badRequest('unknown_host', `no CPU figures for host "${b.subject}" in ${environment} over the last 90 days`, [{ field: 'subject', reason: 'no such host in the review' }]);
      figures = proposalFigures(host);
    } else {
      monthOf(b.subject, deps.timezone, 'subject');
    }
    const text = await texts.create({ kind: b.kind, environment, subject: b.subject, textJa: b.text_ja, textEn: b.text_en, figures: JSON.stringify(figures) }, request.actor!.name);
    request.auditNote = { object: { id: text.id, kind: b.kind, environment, subject: b.subject } };
    return reply.code(201).send(view(text));
  });

  app.post('/api/v1/reports/texts/:id/versions', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Save an edit as the next version (drafts only)', params: Id, body: Type.Object({ ...Base, text_ja: Text('ja'), text_en: Text('en') }, { additionalProperties: false }) },
  }, async (request) => {
    const b = request.body;
    const text = await texts.edit(request.params.id, b.base_version, { textJa: b.text_ja, textEn: b.text_en }, request.actor!.name);
    request.auditNote = { object: { version: text.versions.length } };
    return view(text);
  });

  app.post('/api/v1/reports/texts/:id/final', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Mark a proposal "proposed to the foundation", or a plan "issued"; no edits after', params: Id, body: Type.Object(Base, { additionalProperties: false }) },
  }, async (request) => {
    const text = await texts.finalise(request.params.id, request.body.base_version, request.actor!.name);
    request.auditNote = { object: { version: text.versions.length, status: text.versions[text.versions.length - 1]!.status } };
    return view(text);
  });
}
