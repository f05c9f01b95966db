// What both alert benchmarks run: a real `mimamori start` process with one
// critical 5-second rule mailing a real SMTP server in the bench process.
// group_interval 0 s: each alert is mailed on its own (Alertmanager would
// batch alerts of one rule within group_interval; that wait is
// configuration, not latency).
import fs from 'node:fs';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.ts';
import { tempDir } from '../test/helpers/runtime.ts';
import { SmtpSink } from '../test/helpers/smtp-sink.ts';

export interface AlertServer {
  server: ServerProcess;
  smtp: SmtpSink;
  dataDir: string;
  stop(): Promise<void>;
}

/** `agent` is the YAML of the in-process agent and its targets; `match` narrows the rule. */
export async function startAlertServer(agent: string, match = ''): Promise<AlertServer> {
  const smtp = new SmtpSink();
  await smtp.start();
  const dataDir = tempDir('mimamori-bench-alerts-');
  const config = path.join(dataDir, 'mimamori.yaml');
  fs.writeFileSync(config, `
environments: [production]
${agent}
rules:
  - { name: response-over-5s, kind: response_time, threshold_ms: 5000, severity: critical${match ? `, match: ${match}` : ''} }
notify:
  smtp: { url_env: MIMAMORI_SMTP_URL }
  group_interval: 0s
  recipients:
    - { name: operators, email: [ops@example.jp], language: ja }
`);
  const server = await startServerProcess({ MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: config, MIMAMORI_SMTP_URL: smtp.url });
  return {
    server,
    smtp,
    dataDir,
    async stop() {
      await server.stop();
      await smtp.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
