import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { AppError, badRequest, tooLarge } from '../http/errors.ts';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

export type BodyFormat = 'ndjson' | 'json';

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);

/** Undoes Content-Encoding (gzip, deflate), refusing to inflate past the body limit. */
export async function decodeBody(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return body;
  if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') {
    throw new AppError(415, 'unsupported_encoding', `Content-Encoding "${coding}" is not supported (use gzip or none)`, [{ field: 'content-encoding', reason: 'unsupported' }]);
  }
  try {
    return await (coding === 'deflate' ? inflate : gunzip)(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw tooLarge(`decompressed body is larger than ${maxBytes} bytes`, [{ field: 'body', reason: `body limit ${maxBytes} bytes`, limit: maxBytes }]);
    }
    throw badRequest('invalid_encoding', `body is not valid ${coding} data`, [{ field: 'body', reason: (error as Error).message }]);
  }
}

/** NDJSON by Content-Type; application/json is NDJSON too when it does not start with "[". */
export function bodyFormat(contentType: string | undefined, body: Buffer): BodyFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (NDJSON_TYPES.has(type)) return 'ndjson';
  if (type === 'application/json' || type === '') {
    const first = body.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
    return first === 0x5b /* [ */ ? 'json' : 'ndjson';
  }
  throw new AppError(415, 'unsupported_media_type', `Content-Type "${type}" is not supported (use application/x-ndjson or application/json)`, [
    { field: 'content-type', reason: 'unsupported' },
  ]);
}
