import type { AgentIdentity, Collector, Sink } from '../core/types.ts';
import { metricRecord } from '../core/record.ts';
import type { TargetConfig } from '../config.ts';
import { probeHttp } from './http-probe.ts';
import type { BrowserProbeResult } from './browser-probe.ts';

/**
 * Probes one target on its interval. When the answer is slower than the
 * target's threshold (5 s by default), a `probe_threshold_crossed` sample is
 * spooled at that moment, before the full measurement, so rules hear of a
 * broken 5-second target at 5.0 s rather than when the answer finally ends.
 */
export class HttpProbeCollector implements Collector {
  readonly name: string;
  readonly intervalMs: number;

  constructor(
    private readonly id: AgentIdentity,
    private readonly target: TargetConfig,
  ) {
    this.name = `probe:${target.name}`;
    this.intervalMs = target.intervalMs;
  }

  async collect(sink: Sink, now: number): Promise<void> {
    const labels = { target: this.target.name };
    const self = { environment: this.target.environment, host: this.id.host };
    let early: Promise<void> | undefined;
    const onSlow = (elapsed: number) => {
      // Whole milliseconds: ingest refuses fractional epoch timestamps.
      early = sink.write('metrics', [metricRecord(self, Math.round(now + elapsed), 'probe_threshold_crossed', this.target.thresholdMs, labels)]);
    };
    // Chromium is loaded only for targets that ask for it.
    const result: BrowserProbeResult = this.target.browser ? await (await import('./browser-probe.ts')).probeBrowser(this.target, onSlow) : await probeHttp(this.target, onSlow);
    await early;
    const { certificate_days_left: days, lcp_ms: lcp, ...measured } = result;
    const record = { timestamp: now, environment: this.target.environment, target: this.target.name, url: this.target.url, ...measured };
    await sink.write('probes', [JSON.stringify(record)]);
    if (lcp !== undefined) await sink.write('metrics', [metricRecord(self, now, 'browser_lcp_ms', lcp, labels)]);
    if (days !== undefined) await sink.write('metrics', [metricRecord(self, now, 'tls_certificate_days_left', days, labels)]);
  }
}
