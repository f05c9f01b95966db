import type { Language } from './tables.ts';

// The ledger's codes in words, for reports: the same words the dashboard
// shows (dashboard/src/lib/messages.ts, `ticket.*` and `status.*`).
const WORDS: Record<string, Record<Language, string>> = {
  'type.incident': { ja: '障害', en: 'Incident' },
  'type.inquiry': { ja: '問い合わせ', en: 'Inquiry' },
  'type.security': { ja: 'セキュリティ事故', en: 'Security incident' },
  'severity.critical': { ja: '重大', en: 'Critical' },
  'severity.warning': { ja: '警告', en: 'Warning' },
  'severity.info': { ja: '情報', en: 'Info' },
  'status.open': { ja: '未確認', en: 'Open' },
  'status.acknowledged': { ja: '確認済み', en: 'Acknowledged' },
  'status.investigating': { ja: '調査中', en: 'Investigating' },
  'status.workaround_applied': { ja: '回避策適用済み', en: 'Workaround applied' },
  'status.resolved': { ja: '解決', en: 'Resolved' },
  'status.closed': { ja: '完了', en: 'Closed' },
  'root_cause.application': { ja: 'アプリケーション', en: 'application' },
  'root_cause.infrastructure': { ja: 'インフラ（サーバー・ストレージ）', en: 'infrastructure (servers, storage)' },
  'root_cause.network': { ja: 'ネットワーク', en: 'network' },
  'root_cause.configuration': { ja: '設定', en: 'configuration' },
  'root_cause.capacity': { ja: '容量・性能', en: 'capacity, performance' },
  'root_cause.external': { ja: '外部要因', en: 'external cause' },
  'root_cause.operation': { ja: '運用作業', en: 'operational work' },
  'root_cause.security': { ja: 'セキュリティ', en: 'security' },
  'root_cause.unknown': { ja: '不明', en: 'unknown' },
  'root_cause.unset': { ja: '未記入', en: 'not given' },
  'warranty.defect_under_warranty': { ja: '瑕疵（保証対象）', en: 'a defect under warranty' },
  'warranty.not_a_warranty_defect': { ja: '瑕疵ではない', en: 'not a warranty defect' },
  'warranty.undecided': { ja: '未判断', en: 'not decided yet' },
  'group.severity': { ja: '重要度', en: 'Severity' },
  'group.type': { ja: '種別', en: 'Type' },
  'group.root_cause': { ja: '根本原因', en: 'Root cause' },
  'group.warranty': { ja: '瑕疵判定', en: 'Warranty' },
  'forecast.crosses': { ja: '上昇', en: 'rising' },
  'forecast.not_rising': { ja: '上昇傾向なし', en: 'no rising trend' },
  'forecast.over': { ja: '既に超過', en: 'already over' },
  'forecast.not_enough_data': { ja: 'データ不足（14日未満）', en: 'not enough data (under 14 days)' },
  'plan.scale_host': { ja: 'ホスト増強', en: 'Scale a host' },
  'plan.meet_slo': { ja: 'SLO 改善', en: 'Meet the SLO' },
  'plan.fix_recurring': { ja: '恒久対策', en: 'Permanent fix' },
  'verdict.pass': { ja: '合格', en: 'pass' },
  'verdict.fail': { ja: '不合格', en: 'fail' },
  'criterion.p95_ms': { ja: 'p95 応答時間 (ms)', en: 'p95 response time (ms)' },
  'criterion.error_rate_percent': { ja: 'エラー率 (%)', en: 'Error rate (%)' },
  'criterion.checks_percent': { ja: 'チェック成功率 (%)', en: 'Checks passed (%)' },
  'criterion.request_rate': { ja: 'リクエスト/秒', en: 'Requests per second' },
  'decision.go': { ja: '実施可', en: 'go' },
  'decision.no_go': { ja: '実施不可', en: 'no-go' },
  'decision.go_with_conditions': { ja: '条件付きで実施可', en: 'go with conditions' },
  'proposal.none': { ja: '不要', en: 'not needed' },
  'proposal.drafted': { ja: '案あり（未保存）', en: 'drafted, not saved' },
  'proposal.draft': { ja: '編集中', en: 'being edited' },
  'proposal.proposed': { ja: '財団へ提案済み', en: 'proposed to the foundation' },
  'proposal.issued': { ja: '発行済み', en: 'issued' },
  'direction.up': { ja: '増加', en: 'increase' },
  'direction.down': { ja: '減少', en: 'decrease' },
  'text.drafted': { ja: '案（データから自動作成、未保存）', en: 'drafted from the data, not saved' },
  'text.draft': { ja: '編集中', en: 'draft' },
  'text.proposed': { ja: '財団へ提案済み', en: 'proposed to the foundation' },
  'text.issued': { ja: '発行済み', en: 'issued' },
};

/** A code in words, e.g. word('status', 'resolved', 'ja') = 解決; an unknown code as it is. */
export function word(kind: string, code: string, lang: Language): string;
export function word(kind: string, code: string | null, lang: Language): string | null;
export function word(kind: string, code: string | null, lang: Language): string | null {
  if (code === null) return null;
  return WORDS[`${kind}.${code}`]?.[lang] ?? code;
}
