import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError, badRequest } from '../http/errors.ts';
import { collectGarbageSoon } from '../shared/collect-garbage.ts';

export type BodyFormat = 'ndjson' | 'json';

/**
 * Compressed input reaches zlib in slices this small. zlib inflates a whole
 * input chunk before it looks at back-pressure, and one 64 KiB socket chunk
 * of a bomb inflates to 64 MiB; a 1 KiB slice inflates to at most about
 * 1 MiB (deflate's limit is ~1032:1), and the next slice waits until that
 * is read, so the caps below are checked before memory runs away.
 */
const INFLATE_SLICE_BYTES = 1024;
/** Inflated output in 256 KiB pieces: above the allocator's mmap threshold (see bin/runtime.js), so each is returned to the system when freed. */
const INFLATE_CHUNK_BYTES = 256 * 1024;
/** Compressed bodies inflated at once, and how many may wait for a turn before 503. */
const INFLATE_CONCURRENCY = 4;
const INFLATE_QUEUE = 64;

function sliced(size: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let at = 0; at < chunk.length; at += size) this.push(chunk.subarray(at, at + size));
      done();
    },
  });
}

/** Bodies in memory at once above this make a burst worth a garbage collection once it is over. */
const BURST_BYTES = 32 * 1024 * 1024;

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);

/**
 * The bytes of request bodies held in memory at once, across all requests
 * (decoded; a compressed body counts as what it inflates to). A request
 * that would go beyond it is answered 503 `overloaded` at once, so a burst
 * of compression bombs costs at most this much memory, not 60 × the limit.
 */
export class BodyBudget {
  private used = 0;
  private peak = 0;

  constructor(readonly maxBytes: number) {}

  get inUse(): number {
    return this.used;
  }

  private inflating = 0;
  private readonly waiting: (() => void)[] = [];

  /**
   * A turn to inflate a compressed body: a few at a time, so the memory a
   * burst of them holds before the caps bite stays small; the rest wait,
   * and beyond a short queue are answered 503 at once.
   */
  async inflateTurn(): Promise<() => void> {
    if (this.inflating >= INFLATE_CONCURRENCY) {
      if (this.waiting.length >= INFLATE_QUEUE) throw overloaded(this.maxBytes);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.inflating++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next(); // the turn passes on
      else this.inflating--;
    };
  }

  take(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) {
      this.peak = this.maxBytes;
      return false;
    }
    this.used += bytes;
    this.peak = Math.max(this.peak, this.used);
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    // A burst of large bodies is over: their buffers are garbage now, give the memory back.
    if (this.used === 0 && this.peak >= BURST_BYTES) {
      this.peak = 0;
      collectGarbageSoon();
    }
  }
}

export interface ReadLimits {
  /** Per request, after Content-Encoding is undone. */
  maxBodyBytes: number;
}

/**
 * Reads a request body, undoing gzip/deflate as a stream: it stops the
 * moment the decoded size passes the request's limit (413) or the shared
 * budget (503), so nothing inflates past what it may hold. The returned
 * bytes stay charged to the budget until `release` is called.
 */
export async function readBody(payload: Readable, headers: IncomingHttpHeaders, limits: ReadLimits, budget: BodyBudget): Promise<{ body: Buffer; release: () => void }> {
  const coding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (coding !== 'identity' && coding !== '' && coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') {
    throw new AppError(415, 'unsupported_encoding', `Content-Encoding "${coding}" is not supported (use gzip or none)`, [{ field: 'content-encoding', reason: 'unsupported' }], CLOSE);
  }
  const declared = Number(headers['content-length'] ?? NaN);
  if (declared > limits.maxBodyBytes) throw bodyTooLarge(limits.maxBodyBytes);
  const inflate = coding === 'deflate' ? zlib.createInflate({ chunkSize: INFLATE_CHUNK_BYTES }) : coding.endsWith('gzip') ? zlib.createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }) : undefined;
  const endTurn = inflate ? await budget.inflateTurn() : () => undefined;
  const source: Readable = inflate ? payload.pipe(sliced(INFLATE_SLICE_BYTES), { end: true }).pipe(inflate) : payload;
  const chunks: Buffer[] = [];
  let charged = 0;
  const give = () => {
    budget.give(charged);
    charged = 0;
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (charged + chunk.length > limits.maxBodyBytes) throw bodyTooLarge(limits.maxBodyBytes);
      if (!budget.take(chunk.length)) throw overloaded(budget.maxBytes);
      charged += chunk.length;
      chunks.push(chunk);
    }
  } catch (error) {
    give();
    if (source !== payload) source.destroy();
    if (error instanceof AppError) throw error;
    if (coding === 'identity' || coding === '') throw error; // the client went away mid-body
    throw badRequest('invalid_encoding', `body is not valid ${coding} data`, [{ field: 'body', reason: (error as Error).message }]);
  } finally {
    endTurn();
  }
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, charged);
  if (body !== chunks[0] && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength) ALLOCATED.add(body);
  let released = false;
  return {
    body,
    release: () => {
      if (released) return;
      released = true;
      give();
    },
  };
}

/** Bodies readBody put together in memory of their own (not socket chunks, not the shared pool of small Buffers). */
const ALLOCATED = new WeakSet<Buffer>();

/**
 * Hands a body's memory back at once, once nothing will read it again (it
 * is durable in the write-ahead log). Left to the collector, a body that
 * waited on an fsync has usually been promoted to V8's old generation and
 * stays until the next full collection: under steady ingest some 40 MiB of
 * bodies waited so (bench/RESULTS.md, issue 15). Only a body readBody
 * assembled itself is freed; the Buffer is empty afterwards.
 */
export function returnBodyMemory(body: unknown): void {
  if (!Buffer.isBuffer(body) || !ALLOCATED.has(body)) return;
  ALLOCATED.delete(body);
  (body.buffer as ArrayBuffer).transfer(0);
}

/** Reading stops early on these, so the rest of the body is not read: the connection closes after the answer. */
const CLOSE = { connection: 'close' };

function bodyTooLarge(maxBytes: number): AppError {
  return new AppError(413, 'too_large', `body is larger than ${maxBytes} bytes (after decompression)`, [{ field: 'body', reason: `body limit ${maxBytes} bytes`, limit: maxBytes }], CLOSE);
}

function overloaded(maxBytes: number): AppError {
  return new AppError(503, 'overloaded', 'too many request bodies are being read at once; retry shortly', [{ reason: `more than ${maxBytes} bytes of request bodies in memory` }], { 'retry-after': '2', ...CLOSE });
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
