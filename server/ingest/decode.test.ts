import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodyBudget, readBody, returnBodyMemory } from './decode.ts';

const limits = { maxBodyBytes: 8 * 1024 * 1024 };
const read = (chunks: Buffer[]) => readBody(Readable.from(chunks), {}, limits, new BodyBudget(64 * 1024 * 1024));

describe('request bodies in memory', () => {
  it('a body assembled from several socket chunks gives its memory back once returned, and only then', async () => {
    const chunks = Array.from({ length: 16 }, (_, i) => Buffer.alloc(64 * 1024, 97 + i));
    const { body } = await read(chunks);
    expect(body.length).toBe(16 * 64 * 1024);
    expect(body.subarray(64 * 1024 * 3, 64 * 1024 * 3 + 4).toString()).toBe('dddd');
    returnBodyMemory(body);
    expect(body.buffer.byteLength).toBe(0);
    expect(body.length).toBe(0);
    for (const chunk of chunks) expect(chunk.length).toBe(64 * 1024); // the chunks it was copied from are untouched
    returnBodyMemory(body); // a second return is harmless
  });

  it('a body that is a single chunk of someone else’s memory is left alone', async () => {
    const pool = Buffer.from('{"a":1}\n{"a":2}\n'); // small Buffers share one pooled ArrayBuffer
    const { body } = await read([pool]);
    returnBodyMemory(body);
    expect(body.toString()).toBe('{"a":1}\n{"a":2}\n');
    const other = Buffer.alloc(1024 * 1024);
    returnBodyMemory(other); // not one readBody assembled
    expect(other.length).toBe(1024 * 1024);
    returnBodyMemory(undefined);
  });
});
