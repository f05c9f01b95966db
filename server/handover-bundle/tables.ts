import type { Bilingual } from '../approvals/index.ts';

/**
 * What the hand-over bundle carries (item 8): every table that holds what
 * was accumulated or learned. A capability that adds a table adds it here
 * (and its columns' meanings in columns.ts); a test fails on a table of the
 * schema that is neither here nor in LEFT_OUT, so nothing is forgotten.
 */
export interface BundledTable {
  name: string;
  about: Bilingual;
  /** The column whose range the manifest states (the time the rows describe). */
  time?: string;
  /** Columns written empty: secrets never leave the instance (the audit trail never held them, so its chain still verifies). */
  blank?: readonly string[];
  /** Filled by materialized views from another bundled table: the import loads it from its own file, after its sources (on a cluster, emptied of what they produced first). */
  derived?: boolean;
  /** Read by materialized views (into the derived tables): the import loads it past them. */
  feedsViews?: boolean;
}

export const BUNDLED_TABLES: readonly BundledTable[] = [
  { name: 'logs', time: 'timestamp', feedsViews: true, about: { ja: 'アプリケーションログ（生データ）', en: 'Application log lines (raw)' } },
  { name: 'metrics', time: 'timestamp', feedsViews: true, about: { ja: 'メトリクス（CPU 使用率など、生データ）', en: 'Metric samples such as CPU usage (raw)' } },
  { name: 'probes', time: 'timestamp', feedsViews: true, about: { ja: '外形監視（応答時間）の計測（生データ）', en: 'Synthetic response-time checks (raw)' } },
  { name: 'logs_1m', time: 'time', derived: true, about: { ja: 'ログ件数の 1 分集計', en: 'Log line counts per minute' } },
  { name: 'metrics_1m', time: 'time', derived: true, about: { ja: 'メトリクスの 1 分集計', en: 'Metric rollup per minute' } },
  { name: 'metrics_1h', time: 'time', derived: true, about: { ja: 'メトリクスの 1 時間集計', en: 'Metric rollup per hour' } },
  { name: 'probes_1m', time: 'time', derived: true, about: { ja: '外形監視の 1 分集計', en: 'Synthetic-check rollup per minute' } },
  { name: 'probes_1h', time: 'time', derived: true, about: { ja: '外形監視の 1 時間集計', en: 'Synthetic-check rollup per hour' } },
  { name: 'rum_measurements', time: 'timestamp', about: { ja: '実ユーザー計測（Web Vitals など）', en: 'Real-user measurements (Web Vitals and the like)' } },
  { name: 'rum_events', time: 'timestamp', about: { ja: '実ユーザーのページ読み込み・イベント', en: 'Real-user page loads and events' } },
  { name: 'rum_exceptions', time: 'timestamp', about: { ja: 'ブラウザーで起きた例外', en: 'Exceptions raised in browsers' } },
  { name: 'rum_logs', time: 'timestamp', about: { ja: 'ブラウザーのコンソールログ', en: 'Browser console logs' } },
  { name: 'alert_events', time: 'at', about: { ja: 'アラートの状態遷移', en: 'Alert state transitions' } },
  { name: 'notifications', time: 'at', about: { ja: '通知（メール）の送信記録', en: 'Notification (e-mail) log' } },
  { name: 'ticket_events', time: 'at', about: { ja: 'インシデント管理台帳の変更履歴', en: 'Incident ledger: every change of every ticket' } },
  { name: 'workaround_events', time: 'at', about: { ja: '暫定対応手順の版と承認', en: 'Workaround procedures: versions and approvals' } },
  { name: 'maintenance_events', time: 'at', about: { ja: '計画メンテナンスの登録・変更', en: 'Planned maintenance windows and their changes' } },
  { name: 'silence_events', time: 'at', about: { ja: 'アラートの一時停止（サイレンス）', en: 'Alert silences' } },
  { name: 'release_events', time: 'at', about: { ja: 'リリースと可否判定', en: 'Releases and their go/no-go decisions' } },
  { name: 'loadtest_runs', time: 'at', about: { ja: '負荷試験（k6）の結果', en: 'Load-test (k6) runs' } },
  { name: 'log_patterns', time: 'first_seen', about: { ja: '学習したログパターン', en: 'Learned log patterns' } },
  { name: 'log_pattern_counts', time: 'time', about: { ja: 'ログパターンの 1 分ごとの件数', en: 'Log pattern counts per minute' } },
  { name: 'incident_links', time: 'linked_at', about: { ja: 'インシデントと当時の兆候（アラート・ログパターン）の関連', en: 'Incidents linked to what was seen then (alerts, log patterns)' } },
  { name: 'report_text_versions', time: 'at', about: { ja: '報告書の文章（容量見直し提案・改善計画）の全版', en: 'Report texts (capacity proposals, improvement plans), every version' } },
  { name: 'users', time: 'created_at', blank: ['password_hash'], about: { ja: '利用者アカウント（パスワードのハッシュは含みません）', en: 'User accounts (without password hashes)' } },
  { name: 'user_events', time: 'at', about: { ja: 'アカウントの変更履歴', en: 'Account changes' } },
  { name: 'login_attempts', time: 'at', about: { ja: 'サインインの試行', en: 'Sign-in attempts' } },
  { name: 'api_tokens', time: 'created_at', blank: ['secret_hash'], about: { ja: 'API トークン（秘密の値のハッシュは含みません）', en: 'API tokens (without their secret hashes)' } },
  { name: 'token_revocations', time: 'at', about: { ja: 'API トークンの失効', en: 'API token revocations' } },
  { name: 'token_uses', time: 'last_used_at', about: { ja: 'API トークンの最終利用', en: 'API tokens’ last use' } },
  { name: 'request_events', time: 'at', about: { ja: '二者承認の申請と決定', en: 'Four-eyes requests and decisions' } },
  { name: 'handover_events', time: 'at', about: { ja: '機密情報の受け渡し記録', en: 'Confidential-data hand-over ledger' } },
  { name: 'audit_log', time: 'at', about: { ja: '監査証跡（ハッシュチェーン）', en: 'Audit trail (hash chain)' } },
];

/** Tables the bundle leaves out, and why. */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  schema_migrations: 'the importing instance creates its own schema',
  ingest_batches: 'idempotency keys of recent ingest requests, meaningless elsewhere',
  sessions: 'sign-in sessions are secrets of this instance',
  session_ends: 'belongs to the sessions left out',
  logs_ingest: 'an ingest door (Null engine), holds no rows',
  metrics_ingest: 'an ingest door (Null engine), holds no rows',
  probes_ingest: 'an ingest door (Null engine), holds no rows',
  audit_log_ingest: 'an ingest door (Null engine), holds no rows',
  audit_queue: 'replicas’ entries waiting for the primary to seal them into audit_log, where the bundle has them',
};
