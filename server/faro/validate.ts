import { Compile } from 'typebox/compile';
import { badRequest, type ErrorDetail } from '../http/errors.ts';
import { FaroPayload } from './schemas.ts';

const checker = Compile(FaroPayload);
const MAX_DETAILS = 10;

/** Parses and checks a Faro body (JSON, whatever the content type said); any fault refuses it whole. */
export function parseFaroBody(body: Buffer | undefined): FaroPayload {
  let value: unknown;
  try {
    value = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
  } catch (error) {
    throw badRequest('invalid_json', `body is not valid JSON: ${(error as Error).message}`, [{ field: 'body', reason: (error as Error).message }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('invalid_payload', 'the body must be a Faro payload object { meta, logs, exceptions, measurements, events }', [{ field: 'body', reason: 'not an object' }]);
  }
  if (checker.Check(value)) return value;
  const details = describe([...checker.Errors(value)]);
  const first = details[0]!;
  throw badRequest('invalid_payload', `${first.field || 'body'}: ${first.reason}; nothing from this request was stored`, details);
}

/** One detail per bad field, the most specific reason first (required / unknown, then the deepest). */
function describe(errors: { keyword: string; instancePath: string; message: string; params: unknown }[]): ErrorDetail[] {
  const byField = new Map<string, string[]>();
  for (const error of errors) {
    if (error.keyword === 'anyOf') continue;
    const params = error.params as { requiredProperties?: string[] };
    const base = error.instancePath.slice(1).replaceAll('/', '.');
    const field = params.requiredProperties ? [base, params.requiredProperties[0]].filter(Boolean).join('.') : base;
    const reason = params.requiredProperties ? 'required field is missing' : error.message;
    const reasons = byField.get(field) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    byField.set(field, reasons);
  }
  return [...byField].slice(0, MAX_DETAILS).map(([field, reasons]) => ({ field, reason: reasons.join(' or ') }));
}
