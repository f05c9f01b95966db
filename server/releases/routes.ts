import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, badRequest } from '../http/errors.ts';
import { requireActor } from '../auth/actors.ts';
import { matchBearer, type IngestToken } from '../ingest/auth.ts';
import type { ReleaseBook } from './book.ts';
import { compareRuns, judgeRun, type Criteria } from './judgement.ts';
import { readK6Result } from './k6/read.ts';
import { K6FormatError } from './k6/model.ts';
import { releaseView, runView } from './views.ts';
import { releaseReportRoutes } from './report-routes.ts';

export interface ReleaseRoutesOptions {
  book: ReleaseBook;
  criteria: Criteria;
  environments: string[];
  uploadMaxBytes: number;
  /** The longest wait for the next bytes of an upload (releases.upload_idle_timeout); the general body timeout does not apply to it. */
  uploadIdleMs: number;
  timezone: string;
  tokens: () => readonly IngestToken[];
  issuedToken: (bearer: string, address: string) => Promise<string | undefined>;
}

const tags = ['releases'];
const Id = Type.Object({ id: Type.String({ maxLength: 40 }) });

/**
 * Releases (item 10) and their go/no-go from the k6 test-result report
 * (item 11). Operators record releases and attach runs; only an approver
 * (the foundation's role) decides. Every change is audited.
 */
export async function releaseRoutes(fastify: FastifyInstance, options: ReleaseRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { book, criteria, environments } = options;
  const environmentOf = (asked: string) => {
    if (!environments.includes(asked)) throw badRequest('unknown_environment', `unknown environment "${asked}" (configured: ${environments.join(', ')})`, [{ field: 'environment', reason: 'not configured' }]);
    return asked;
  };
  const full = (id: string) => {
    const release = book.get(id);
    const previous = book.previous(release);
    const lastRun = (r: typeof release | undefined) => (r && r.runs.length ? book.run(r.runs[r.runs.length - 1]!) : undefined);
    const prevRun = lastRun(previous);
    return releaseView(release, release.runs.map((runId) => {
      const stored = book.run(runId);
      return { ...runView(stored, judgeRun(stored.run, criteria)), compared_with: prevRun ? { release: previous!.version, run_id: prevRun.id, changes: compareRuns(stored.run, prevRun.run, criteria.regressionMarginPercent) } : null };
    }));
  };

  app.get('/api/v1/releases', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'The release history, newest first (with each run’s verdict and the standing decision); from/to filter by release time', querystring: Type.Object({ environment: Type.Optional(Type.String({ maxLength: 32 })), from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }) },
  }, async (request) => {
    const { environment, from, to } = request.query;
    const inRange = (at: number) => (!from || at >= Date.parse(from)) && (!to || at < Date.parse(to));
    return { releases: book.list(environment).filter((r) => inRange(r.releasedAt)).map((r) => full(r.id)) };
  });

  app.get('/api/v1/releases/:id', { config: { access: 'viewer' }, schema: { tags, summary: 'One release: its runs with their judgement and the comparison with the previous release, and every decision', params: Id } }, async (request) => full(request.params.id));

  app.post('/api/v1/releases', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Record a release',
      body: Type.Object({
        environment: Type.String({ minLength: 1, maxLength: 32 }),
        version: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$' }),
        summary: Type.String({ minLength: 1, maxLength: 4000 }),
        link: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://' })),
        released_at: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const b = request.body;
    const release = await book.create({ environment: environmentOf(b.environment), version: b.version, summary: b.summary, link: b.link ?? '', releasedAt: b.released_at ? Date.parse(b.released_at) : Date.now() }, request.actor!);
    request.auditNote = { object: { id: release.id, environment: release.environment, version: release.version } };
    return reply.code(201).send(full(release.id));
  });

  app.post('/api/v1/releases/:id/runs', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Attach an uploaded k6 run to the release', params: Id, body: Type.Object({ run_id: Type.String({ maxLength: 40 }) }, { additionalProperties: false }) },
  }, async (request) => {
    await book.attach(request.params.id, request.body.run_id, request.actor!);
    return full(request.params.id);
  });

  app.post('/api/v1/releases/:id/decision', {
    config: { access: 'approver' },
    schema: { tags, summary: 'Go, no-go or go with conditions, from the test-result report (approver: the foundation’s decision)', params: Id, body: Type.Object({ decision: Type.Union([Type.Literal('go'), Type.Literal('no_go'), Type.Literal('go_with_conditions')]), comment: Type.String({ maxLength: 4000 }) }, { additionalProperties: false }) },
  }, async (request) => {
    const { decision, comment } = request.body;
    if (comment.trim() === '') throw badRequest('comment_required', 'a decision needs a comment: why go or no-go, or which conditions', [{ field: 'comment', reason: 'required' }]);
    await book.decide(request.params.id, decision, comment, request.actor!);
    request.auditNote = { object: { decision } };
    return full(request.params.id);
  });

  app.get('/api/v1/loadtests', { config: { access: 'viewer' }, schema: { tags, summary: 'k6 runs not attached to a release yet, newest first' } }, async () => ({ runs: book.unattached().map((r) => runView(r, judgeRun(r.run, criteria))) }));

  await app.register(uploadRoute, { ...options, environmentOf });
  await releaseReportRoutes(app, { book, criteria, full, timezone: options.timezone });
}

/** The upload door, in its own context: the body arrives as a stream (files reach gigabytes), under its own size cap and idle timeout. */
async function uploadRoute(fastify: FastifyInstance, options: ReleaseRoutesOptions & { environmentOf: (e: string) => string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request: FastifyRequest, payload: Readable, done: (error: Error | null, body?: unknown) => void) => done(null, payload));

  app.post('/api/v1/loadtests', {
    config: { streamingBody: true },
    // An ingest token (CI posting from handleSummary) may upload; otherwise an operator. Checked before the body is read.
    onRequest: async (request) => {
      const bearer = /^Bearer\s+(mimi_\S+)\s*$/.exec(request.headers.authorization ?? '')?.[1];
      const token = bearer ? await options.issuedToken(bearer, request.ip) : matchBearer(request.headers.authorization, options.tokens());
      if (token) request.auditNote = { actor: `ingest:${token}` };
      else requireActor(request, 'operator');
    },
    schema: {
      tags,
      summary: 'Upload a k6 result: the --summary-export JSON, the handleSummary data object, or --out json lines (gzip allowed); ?release= attaches it at once',
      querystring: Type.Object({ release: Type.Optional(Type.String({ maxLength: 40 })), environment: Type.Optional(Type.String({ maxLength: 32 })), name: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const q = request.query;
    const release = q.release ? options.book.get(q.release) : undefined;
    if (release && !request.actor) throw new AppError(403, 'forbidden', 'attaching a run to a release needs a person (operator); upload without ?release= and attach it on the release page', [{ field: 'release', reason: 'needs an operator' }]);
    const environment = uploadEnvironment(release, q.environment, options);
    let run;
    try {
      const gzip = /gzip/i.test(String(request.headers['content-encoding'] ?? ''));
      run = await readK6Result(request.body as Readable, { gzip, maxBytes: options.uploadMaxBytes, idleTimeoutMs: options.uploadIdleMs });
    } catch (error) {
      if (error instanceof K6FormatError) throw new AppError(400, 'invalid_k6_result', error.message, [{ field: error.field, reason: error.line ? `line ${error.line}` : 'malformed' }]);
      throw error;
    }
    const uploadedBy = request.actor?.name ?? request.auditNote?.actor ?? 'unknown';
    const stored = await options.book.addRun(run, { uploadedBy, environment, fileName: q.name ?? '' }, release?.id, request.actor ?? { name: uploadedBy, role: 'ingest' });
    const judgement = judgeRun(run, options.criteria);
    request.auditNote = { ...request.auditNote, object: { id: stored.id, release: release?.id ?? null, verdict: judgement.verdict } };
    return reply.code(201).send({ id: stored.id, release: release?.id ?? null, ...judgement });
  });
}

/**
 * The environment an upload is a run of: its release's, or the one named;
 * only a single configured environment goes without saying. Checked before
 * the body is read.
 */
function uploadEnvironment(release: { id: string; environment: string } | undefined, asked: string | undefined, options: { environments: string[]; environmentOf: (e: string) => string }): string {
  if (release) {
    if (asked !== undefined && asked !== release.environment) {
      throw new AppError(409, 'environment_mismatch', `environment=${asked}, but ${release.id} is a release of ${release.environment}`, [{ field: 'environment', reason: `release environment ${release.environment}` }]);
    }
    return release.environment;
  }
  if (asked !== undefined) return options.environmentOf(asked);
  if (options.environments.length === 1) return options.environments[0]!;
  throw badRequest('environment_required', `say which environment the run is of: environment=<${options.environments.join('|')}> (or release=<id>)`, [{ field: 'environment', reason: 'required when several environments are configured' }]);
}
