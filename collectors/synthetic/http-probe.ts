import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TargetConfig } from '../config.ts';

export interface ProbeResult {
  ok: boolean;
  status: number;
  error: string;
  dns_ms?: number;
  connect_ms?: number;
  tls_ms?: number;
  ttfb_ms?: number;
  total_ms: number;
  certificate_days_left?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;
const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * One HTTP(S) check with the time of each phase. `onSlow` is called the
 * moment the answer takes longer than the target's threshold, while the
 * request goes on to be measured in full (up to its timeout).
 */
export function probeHttp(target: TargetConfig, onSlow: (elapsedMs: number) => void = () => undefined): Promise<ProbeResult> {
  const started = performance.now();
  const since = () => round(performance.now() - started);
  const phases: Partial<ProbeResult> = {};
  let connectedAt = 0;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<ProbeResult, 'total_ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(slowTimer);
      clearTimeout(timeoutTimer);
      resolve({ ...phases, ...result, total_ms: since() });
    };
    const slowTimer = setTimeout(() => onSlow(since()), target.thresholdMs);
    const url = new URL(target.url);
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: target.method,
      headers: { 'user-agent': 'mimamori-probe/1', ...target.headers },
      agent: false, // a fresh connection, so DNS, connect and TLS are measured every time
      rejectUnauthorized: !target.insecureTls,
    });
    const timeoutTimer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, status: 0, error: `no complete answer within ${target.timeoutMs} ms` });
    }, target.timeoutMs);
    req.on('socket', (socket) => {
      socket.once('lookup', () => (phases.dns_ms = since()));
      socket.once('connect', () => {
        connectedAt = since();
        phases.connect_ms = round(connectedAt - (phases.dns_ms ?? 0));
      });
      socket.once('secureConnect', () => {
        phases.tls_ms = round(since() - connectedAt);
        const cert = (socket as TLSSocket).getPeerCertificate();
        if (cert?.valid_to) phases.certificate_days_left = Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
      });
    });
    req.on('response', (res) => {
      phases.ttfb_ms = since();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (error) => finish({ ok: false, status: res.statusCode ?? 0, error: describeError(error) }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8');
        finish({ status, ...judge(target, status, body) });
      });
    });
    req.on('error', (error) => finish({ ok: false, status: 0, error: describeError(error) }));
    req.end(target.body);
  });
}

function judge(target: TargetConfig, status: number, body: string): { ok: boolean; error: string } {
  const { expect } = target;
  if (expect.status !== undefined ? status !== expect.status : status >= 400) {
    return { ok: false, error: `HTTP ${status}${expect.status !== undefined ? ` (expected ${expect.status})` : ''}` };
  }
  if (expect.contains !== undefined && !body.includes(expect.contains)) return { ok: false, error: `keyword "${expect.contains}" not found in the answer` };
  if (expect.regex && !expect.regex.test(body)) return { ok: false, error: `pattern /${expect.regex.source}/ not found in the answer` };
  return { ok: true, error: '' };
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host name not found',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
    CERT_HAS_EXPIRED: 'TLS certificate expired',
  };
  return code ? `${known[code] ?? error.message} (${code})` : error.message;
}
