import type { Language } from '../config.ts';
import type { Alert } from '../../rules/types.ts';
import type { AlertNotice, Message } from '../types.ts';
import { environmentTag, formatDuration, formatTime, formatValue, oneLine, severityTag, severityWord, worstSeverity } from './format.ts';

const MAX_LOG_LINES = 10;
const MAX_LOG_LINE_CHARS = 300;

const TEXT = {
  ja: {
    firing: '発生',
    resolved: '復旧',
    noData: 'データ途絶',
    ended: '終了',
    more: (n: number) => ` ほか ${n} 件`,
    headline: (severity: string, state: MailState) =>
      ({ firing: `${severity}アラートが発生しています。`, nodata: '発生中のアラートの計測データが届かなくなりました。復旧ではありません。', resolved: 'アラートは復旧しました。', ended: 'アラートを終了しました（復旧は確認されていません）。' })[state],
    productionBanner: '*** 本番環境です ***',
    rule: 'ルール',
    environment: (name: string, production: boolean) => `環境: ${name}${production ? '（本番）' : ''}`,
    ticket: 'チケット',
    ack: '確認',
    ackHint: '上の確認リンクで確認済みにすると、以降のエスカレーションが止まります。',
    firingSection: (n: number) => `■ 発生中 (${n} 件)`,
    resolvedSection: (n: number) => `■ 復旧 (${n} 件)`,
    noDataSection: (n: number) => `■ データ途絶 (${n} 件)`,
    measured: (value: string, threshold: string) => `計測値: ${value} (しきい値 ${threshold})`,
    lastMeasured: (value: string, threshold: string) => `最後の計測値: ${value} (しきい値 ${threshold})`,
    silentSince: (at: string) => `データ途絶: ${at} から（ホストやエージェント、収集経路を確認してください）`,
    retired: (at: string) => `終了時刻: ${at}（ルールが設定から外れたため。計測値による復旧ではありません）`,
    waiting: (value: string) => `≥ ${value}（応答待ち）`,
    since: '発生時刻',
    recovered: (at: string, lasted: string) => `復旧時刻: ${at}（継続時間 ${lasted}）`,
    labels: 'ラベル',
    workaround: (title: string, version: number) => `■ 承認済みの回避策: ${title} (第 ${version} 版)`,
    approvedOnly: '※ 適用できるのは財団が承認した手順のみです。手順にない操作は行わないでください。',
    logs: (n: number) => `■ 直近のログ (${n} 件)`,
    probes: (n: number) => `■ この監視対象の直近の計測 (${n} 件、新しい順)`,
    probeOk: '成功',
    probeFailed: '失敗',
    noAnswer: '応答なし',
    repeat: '※ 再通知: このアラートはまだ復旧していません。',
  },
  en: {
    firing: 'FIRING',
    resolved: 'RESOLVED',
    noData: 'NO DATA',
    ended: 'ENDED',
    more: (n: number) => ` and ${n} more`,
    headline: (severity: string, state: MailState) =>
      ({ firing: `${severity} alert firing.`, nodata: 'A firing alert has stopped receiving data. This is not a recovery.', resolved: 'The alert has resolved.', ended: 'The alert was ended (no recovery was measured).' })[state],
    productionBanner: '*** PRODUCTION ***',
    rule: 'Rule',
    environment: (name: string, production: boolean) => `Environment: ${name}${production && name.toLowerCase() !== 'production' ? ' (production)' : ''}`,
    ticket: 'Ticket',
    ack: 'Acknowledge',
    ackHint: 'Acknowledging with the link above stops escalation.',
    firingSection: (n: number) => `== Firing (${n})`,
    resolvedSection: (n: number) => `== Resolved (${n})`,
    noDataSection: (n: number) => `== No data (${n})`,
    measured: (value: string, threshold: string) => `Measured: ${value} (threshold ${threshold})`,
    lastMeasured: (value: string, threshold: string) => `Last measured: ${value} (threshold ${threshold})`,
    silentSince: (at: string) => `No data since: ${at} (check the host, the agent and the collection path)`,
    retired: (at: string) => `Ended at: ${at} (the rule left the configuration; no recovery was measured)`,
    waiting: (value: string) => `≥ ${value} (still waiting)`,
    since: 'Since',
    recovered: (at: string, lasted: string) => `Resolved at: ${at} (lasted ${lasted})`,
    labels: 'Labels',
    workaround: (title: string, version: number) => `== Approved workaround: ${title} (version ${version})`,
    approvedOnly: 'Only procedures approved by the foundation may be applied; do nothing beyond these steps.',
    logs: (n: number) => `== Recent logs (${n})`,
    probes: (n: number) => `== Latest probes of this target (${n}, newest first)`,
    probeOk: 'OK',
    probeFailed: 'FAILED',
    noAnswer: 'no answer',
    repeat: 'Reminder: this alert is still firing.',
  },
} as const;

type MailState = 'firing' | 'nodata' | 'resolved' | 'ended';

/** A resolved alert without a reading (its rule was removed): ended, never "recovered". */
const noReading = (a: Alert) => a.value === null || !Number.isFinite(a.value);

/** What the mail is about, most urgent first, and the alerts of that part. */
function mailState(notice: AlertNotice): { state: MailState; alerts: Alert[] } {
  if (notice.firing.length > 0) return { state: 'firing', alerts: notice.firing };
  if (notice.noData?.length) return { state: 'nodata', alerts: notice.noData };
  return { state: notice.resolved.every(noReading) ? 'ended' : 'resolved', alerts: notice.resolved };
}

/** What the alert is about, for a subject: the target, else host, else service. */
function subjectOf(alert: Alert): string {
  return alert.labels.target ?? alert.labels.host ?? alert.labels.service ?? '';
}

function formatLabels(alert: Alert): string {
  return Object.entries(alert.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function alertLines(alert: Alert, index: number, notice: AlertNotice, language: Language): string[] {
  const t = TEXT[language];
  const value = formatValue(alert.value, alert.unit);
  const lines = [`${index + 1}. ${alert.description[language]}`];
  if (alert.state === 'resolved' && noReading(alert)) {
    lines.push(`   ${t.retired(formatTime(alert.changedAt, notice.timezone))}`);
  } else if (alert.state === 'resolved') {
    lines.push(`   ${t.recovered(formatTime(alert.changedAt, notice.timezone), formatDuration(alert.changedAt - alert.since, language))}`);
    lines.push(`   ${t.measured(value, formatValue(alert.threshold, alert.unit))}`);
  } else if (alert.state === 'nodata') {
    lines.push(`   ${t.lastMeasured(value, formatValue(alert.threshold, alert.unit))}`);
    lines.push(`   ${t.silentSince(formatTime(alert.changedAt, notice.timezone))}`);
    lines.push(`   ${t.since}: ${formatTime(alert.since, notice.timezone)}`);
  } else {
    lines.push(`   ${t.measured(alert.provisional ? t.waiting(value) : value, formatValue(alert.threshold, alert.unit))}`);
    lines.push(`   ${t.since}: ${formatTime(alert.since, notice.timezone)}`);
  }
  lines.push(`   ${t.labels}: ${formatLabels(alert)}`);
  return lines;
}

function logLine(log: AlertNotice['recentLogs'][number], timezone: string): string {
  // Storage hands out UTC without a zone ("2026-11-26 11:31:00.123").
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(log.timestamp) ? log.timestamp : `${log.timestamp.replace(' ', 'T')}Z`);
  const time = Number.isFinite(ms) ? formatTime(ms, timezone) : log.timestamp;
  return oneLine(`${time} ${log.level.toUpperCase()} ${log.service} ${log.host} ${log.message}`, MAX_LOG_LINE_CHARS);
}

function probeLine(p: NonNullable<AlertNotice['recentProbes']>[number], timezone: string, language: Language): string {
  const t = TEXT[language];
  const answer = p.status ? `HTTP ${p.status}` : t.noAnswer;
  return oneLine(`${formatTime(p.at, timezone)}  ${p.ok ? t.probeOk : t.probeFailed}  ${answer}  ${formatValue(p.total_ms, 'ms')}${p.error ? `  ${p.error}` : ''}`, MAX_LOG_LINE_CHARS);
}

export function alertSubject(notice: AlertNotice, language: Language): string {
  const t = TEXT[language];
  const { state, alerts } = mailState(notice);
  const first = alerts[0];
  const severity = worstSeverity(alerts.map((a) => a.severity));
  const what = first ? first.description[language] : notice.rule;
  const target = first ? subjectOf(first) : '';
  const count = alerts.length > 1 ? t.more(alerts.length - 1) : '';
  const about = target ? ` — ${target}${count}` : count;
  const ticket = notice.ticket ? ` (${notice.ticket.number})` : '';
  const word = { firing: t.firing, nodata: t.noData, resolved: t.resolved, ended: t.ended }[state];
  return `${environmentTag(notice.environment, notice.production, language)}${severityTag(severity, language)} ${word}: ${what}${about}${ticket}`;
}

function alertText(notice: AlertNotice, language: Language): string {
  const t = TEXT[language];
  const { state, alerts } = mailState(notice);
  const firing = state === 'firing';
  const severity = worstSeverity(alerts.map((a) => a.severity));
  const out: string[] = [];
  if (notice.production) out.push(t.productionBanner);
  out.push(t.headline(severityWord(severity, language), state));
  if (notice.repeat && firing) out.push(t.repeat);
  out.push('', `${t.rule}: ${notice.rule}`, t.environment(notice.environment, notice.production));
  if (notice.ticket) {
    out.push(`${t.ticket}: ${notice.ticket.number}  ${notice.ticket.link}`);
    if (notice.ticket.ackLink && (firing || state === 'nodata')) out.push(`${t.ack}: ${notice.ticket.ackLink}`, t.ackHint);
  }
  if (notice.firing.length > 0) out.push('', t.firingSection(notice.firing.length), ...notice.firing.flatMap((a, i) => alertLines(a, i, notice, language)));
  if (notice.noData?.length) out.push('', t.noDataSection(notice.noData.length), ...notice.noData.flatMap((a, i) => alertLines(a, i, notice, language)));
  if (notice.resolved.length > 0) out.push('', t.resolvedSection(notice.resolved.length), ...notice.resolved.flatMap((a, i) => alertLines(a, i, notice, language)));
  if (notice.workaround && firing) {
    const w = notice.workaround;
    out.push('', t.workaround(w.title, w.version), ...w.steps.map((step, i) => `  ${i + 1}. ${step}`), t.approvedOnly);
  }
  const probes = notice.recentProbes ?? [];
  if (probes.length > 0) out.push('', t.probes(probes.length), ...probes.map((p) => probeLine(p, notice.timezone, language)));
  const logs = notice.recentLogs.slice(0, MAX_LOG_LINES);
  if (logs.length > 0) out.push('', t.logs(logs.length), ...logs.map((log) => logLine(log, notice.timezone)));
  return `${out.join('\n')}\n`;
}

function alertJson(notice: AlertNotice, subject: string): Record<string, unknown> {
  const { state, alerts: about } = mailState(notice);
  const alerts = [...notice.firing, ...(notice.noData ?? []), ...notice.resolved];
  return {
    type: 'alert',
    status: state,
    environment: notice.environment,
    production: notice.production,
    severity: worstSeverity(about.map((a) => a.severity)),
    rule: notice.rule,
    summary: subject,
    repeat: notice.repeat,
    alerts: alerts.map((a) => ({
      fingerprint: a.fingerprint,
      labels: a.labels,
      value: noReading(a) ? null : a.value,
      threshold: a.threshold,
      unit: a.unit,
      provisional: a.provisional,
      since: new Date(a.since).toISOString(),
      state: a.state,
    })),
    ticket: notice.ticket ? { number: notice.ticket.number, link: notice.ticket.link, ack_link: notice.ticket.ackLink ?? null } : null,
  };
}

/** An alert mail (and webhook document) in Japanese or English. */
export function renderAlert(notice: AlertNotice, language: Language): Message {
  const subject = alertSubject(notice, language);
  return { subject, text: alertText(notice, language), json: alertJson(notice, subject) };
}
