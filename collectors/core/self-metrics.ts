import type { AgentIdentity, Collector, Sink } from './types.ts';
import { metricRecord } from './record.ts';
import type { Spool } from './spool.ts';
import type { Pusher } from './push.ts';

/** The agent's own counters (sent, retried, spooled bytes, dropped) as metrics. */
export class AgentSelfMetrics implements Collector {
  readonly name = 'agent';

  constructor(
    private readonly id: AgentIdentity,
    readonly intervalMs: number,
    private readonly spool: Spool,
    private readonly pusher: Pusher,
  ) {}

  async collect(sink: Sink, now: number): Promise<void> {
    const m = (name: string, value: number) => metricRecord(this.id, now, name, value);
    await sink.write('metrics', [
      m('mimamori_agent_spooled_records_total', this.spool.counters.spooledRecords),
      m('mimamori_agent_sent_records_total', this.pusher.counters.sentRecords),
      m('mimamori_agent_sent_batches_total', this.pusher.counters.sentBatches),
      m('mimamori_agent_retries_total', this.pusher.counters.retries),
      m('mimamori_agent_rejected_records_total', this.pusher.counters.rejectedRecords),
      m('mimamori_agent_dropped_records_total', this.spool.counters.droppedRecords),
      m('mimamori_agent_spooled_bytes', this.spool.spooledBytes),
    ]);
  }
}
