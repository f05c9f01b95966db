// The agent's core interfaces. A collector turns something it watches into
// records; the runner calls it on its interval; the sink spools what it
// returns until the server has acknowledged it.

export type RecordKind = 'logs' | 'metrics' | 'probes';

export interface Sink {
  /**
   * Durably spools records (each one JSON text, no newline). `checkpoint`
   * is saved atomically with them, so a collector that resumes from it
   * after a crash neither repeats nor skips a record.
   */
  write(kind: RecordKind, records: string[], checkpoint?: { owner: string; state: unknown }): Promise<void>;
}

export interface Collector {
  readonly name: string;
  /** Milliseconds between two calls of collect. */
  readonly intervalMs: number;
  collect(sink: Sink, now: number): Promise<void>;
  close?(): Promise<void>;
}

/** What every record the agent makes carries. */
export interface AgentIdentity {
  environment: string;
  host: string;
}
