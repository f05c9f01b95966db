import { badRequest } from '../http/errors.ts';
import type { TelemetryTable } from '../storage/writer.ts';
import { bodyFormat } from './decode.ts';
import { validateArray, validateNdjson, type ValidBatch } from './validate.ts';

export interface JudgeOptions {
  environments: readonly string[];
  limits: { maxLineBytes: number; maxRows: number };
  retentionDays: Record<TelemetryTable, number>;
  now: () => number;
}

/** Decides what a body's rows are: refused with the line and field, or canonical NDJSON the engine will take. */
export type Judge = (kind: TelemetryTable, body: Buffer, contentType: string | undefined) => ValidBatch;

/** The one judge of a row, shared by the ingest door and the replay of set-aside rows. */
export function createJudge(options: JudgeOptions): Judge {
  const environments = new Set(options.environments);
  return (kind, raw, contentType) => {
    const ctx = { environments, maxLineBytes: options.limits.maxLineBytes, maxRows: options.limits.maxRows, now: options.now(), retentionDays: options.retentionDays[kind], keepRecords: kind !== 'logs' };
    if (bodyFormat(contentType, raw) === 'ndjson') return validateNdjson(kind, raw, ctx);
    const text = raw.toString('utf8');
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (error) {
      throw badRequest('invalid_json', `body is not valid JSON: ${(error as Error).message}`, [{ field: 'body', reason: (error as Error).message }]);
    }
    if (!Array.isArray(items)) throw badRequest('invalid_json', 'a JSON body must be an array of records', [{ field: 'body', reason: 'not an array' }]);
    return validateArray(kind, items, text, ctx);
  };
}
