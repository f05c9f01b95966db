import { EventEmitter } from 'node:events';

/** What ingest announces once records are durable; rules and live views listen. */
export interface IngestedEvent {
  kind: 'logs' | 'metrics' | 'probes';
  rows: number;
  records: readonly unknown[];
}

interface Events {
  ingested: [IngestedEvent];
}

/** A small in-process bus, so ingest never imports the capabilities that react to it. */
export class EventBus extends EventEmitter<Events> {}
