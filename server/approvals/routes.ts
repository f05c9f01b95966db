import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { askersOf, type OperationRegistry } from './operations.ts';
import type { RequestView, Requests } from './requests.ts';
import { CreateRequestBody, OperationsAnswer, RequestAnswer, RequestId as Id } from './schemas.ts';

const tags = ['approvals'];
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const Answer = { 200: RequestAnswer };

export const requestView = (r: RequestView, requests: Requests): RequestAnswer => ({
  id: r.id,
  operation: r.operation,
  params: r.params,
  description: requests.describe(r),
  reason: r.reason,
  requester: r.requester,
  created_at: iso(r.createdAt)!,
  expires_at: iso(r.expiresAt)!,
  state: r.state,
  decided_by: r.decidedBy ?? null,
  decided_at: iso(r.decidedAt),
  decision_reason: r.decisionReason ?? null,
  ran_at: iso(r.ranAt),
  result: r.result ?? null,
  error: r.error ?? null,
  files_until: iso(r.filesUntil),
  files_deleted: r.filesDeleted,
  downloads: r.downloads.map((d) => ({ ...d, at: iso(d.at)! })),
  ...(r.progress ? { progress: r.progress } : {}),
});

/** Four-eyes requests (item 16): ask, decide, and download what an approved export wrote. */
export async function approvalRoutes(fastify: FastifyInstance, options: { requests: Requests; operations: OperationRegistry }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { requests, operations } = options;
  const who = (request: { actor?: { name: string; role: string } }) => ({ name: request.actor!.name, role: request.actor!.role });

  app.get('/api/v1/operations', { config: { access: 'operator' }, schema: { tags, summary: 'What may be requested (exports of raw rows, deletions, shorter retention), with the fields each takes', response: { 200: OperationsAnswer } } }, async () => ({
    operations: operations.list().map((o) => ({ name: o.name, title: o.title, fields: o.fields.map((f) => ({ ...f, choices: f.choices ? [...f.choices] : undefined })), asked_by: [...askersOf(o)] })),
  }));

  app.get('/api/v1/requests', { config: { access: 'operator' }, schema: { tags, summary: 'Requests, newest first, with their state', response: { 200: Type.Object({ requests: Type.Array(RequestAnswer) }) } } }, async () => ({ requests: requests.list().map((r) => requestView(r, requests)) }));

  app.get('/api/v1/requests/:id', { config: { access: 'operator' }, schema: { tags, summary: 'One request', params: Id, response: Answer } }, async (request) => requestView(requests.get(request.params.id), requests));

  app.post('/api/v1/requests', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Ask for an operation that needs a second person’s approval; it runs once approved',
      body: CreateRequestBody,
      response: { 201: RequestAnswer },
    },
  }, async (request, reply) => {
    const made = await requests.create(request.body.operation, request.body.params, request.body.reason, who(request));
    request.auditNote = { detail: `${made.operation}: ${made.detail}` };
    return reply.code(201).send(requestView(made, requests));
  });

  app.post('/api/v1/requests/:id/approve', { config: { access: 'approver' }, schema: { tags, summary: 'Approve someone else’s request (approver or admin); it runs at once, the answer waits up to 10 s for it (state approved while it still runs)', params: Id, response: Answer } }, async (request) => {
    const done = await requests.approve(request.params.id, who(request));
    request.auditNote = { detail: `${done.operation}: ${done.state}${done.result ? ` (${done.result.summary})` : ''}${done.error ? ` (${done.error})` : ''}` };
    return requestView(done, requests);
  });

  app.post('/api/v1/requests/:id/reject', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Reject (approver or admin), or withdraw your own', params: Id, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }), response: Answer },
  }, async (request) => requestView(await requests.reject(request.params.id, who(request), request.body.reason), requests));

  app.get('/api/v1/requests/:id/files/:file', {
    config: { access: 'operator', audit: true },
    schema: { tags, summary: 'Download an approved export’s file (its requester and approver, for 7 days)', params: Type.Object({ id: Type.String({ maxLength: 40 }), file: Type.String({ pattern: '^[\\w.-]{1,100}$' }) }) },
  }, async (request, reply) => {
    const file = await requests.download(request.params.id, request.params.file, who(request));
    request.auditNote = { detail: `download ${request.params.file}` };
    reply.header('content-disposition', `attachment; filename="${request.params.id}-${path.basename(file)}"`);
    return reply.type(file.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/octet-stream').send(fs.createReadStream(file));
  });
}
