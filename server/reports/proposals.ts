import { leadingForecast, type CapacityReview, type HostReview } from './capacity.ts';
import type { AnnualReport } from './annual.ts';
import { wallText } from './formats.ts';
import { latest, type ReportText, type ReportTexts, type TextStatus } from './texts.ts';

/** What a report shows of an operator's text: the saved one, or the draft Mimamori wrote from the figures (`drafted`, not saved yet). */
export interface ShownText {
  id: string | null;
  version: number | null;
  status: TextStatus | 'drafted';
  text_ja: string;
  text_en: string;
  by: string | null;
  at: string | null;
}

const SOURCE = {
  host: { ja: 'ホスト個別の合意', en: "the host's own agreement" },
  environment: { ja: '環境の合意', en: "the environment's agreement" },
  default: { ja: '既定の合意', en: 'the default agreement' },
  rule: { ja: 'CPU 監視ルール', en: 'its CPU alert rule' },
  built_in: { ja: '既定値', en: 'the built-in default' },
} as const;

export function shown(text: ReportText): ShownText {
  const v = latest(text);
  return { id: text.id, version: v.version, status: v.status, text_ja: v.textJa, text_en: v.textEn, by: v.actor, at: new Date(v.at).toISOString() };
}

const drafted = (ja: string, en: string): ShownText => ({ id: null, version: null, status: 'drafted', text_ja: ja, text_en: en, by: null, at: null });

/** The figures a proposal is written from, kept beside each saved version. */
export function proposalFigures(h: HostReview) {
  const { daily: _daily, monthly: _monthly, ...figures } = h;
  return figures;
}

/**
 * A drafted capacity-review proposal in ja and en: where the host stands
 * against its agreed threshold, the trend with its 95 % range, and a
 * recommendation. The operator edits it before proposing it.
 */
export function draftProposal(h: HostReview, environment: string, timezone: string): ShownText {
  const day = (iso: string | null) => (iso ? wallText(Date.parse(iso), timezone).slice(0, 10) : '');
  const source = SOURCE[h.threshold_source];
  const f = leadingForecast(h);
  const month = h.monthly[h.monthly.length - 1];
  const lines = {
    ja: [`${h.host}（${environment}）の CPU 使用率の見直しを提案します。`, `合意しきい値は ${h.threshold_percent}%（${source.ja}）。直近日（${day(h.latest_day)}）の p95 は ${h.latest_p95_percent}%、90日間の最大は ${h.peak_percent}%、しきい値を超えた日は ${h.days_over_threshold} 日です。`],
    en: [`We propose a capacity review of ${h.host} (${environment}).`, `Its agreed CPU threshold is ${h.threshold_percent}% (${source.en}). On the latest day (${day(h.latest_day)}) its p95 was ${h.latest_p95_percent}%, its peak over 90 days ${h.peak_percent}%, and it was over the threshold on ${h.days_over_threshold} day(s).`],
  };
  if (month) {
    lines.ja.push(`今月（${day(month.start).slice(0, 7)}）は平均 ${month.mean_percent}%、p95 ${month.p95_percent}%、しきい値超過の時間は ${month.above_threshold_percent}% です。`);
    lines.en.push(`This month (${day(month.start).slice(0, 7)}) so far: mean ${month.mean_percent}%, p95 ${month.p95_percent}%, ${month.above_threshold_percent}% of the time over the threshold.`);
  }
  if (f.kind === 'crosses') {
    lines.ja.push(`日次 p95 は1日あたり +${f.slope_per_day} ポイント（95% 区間 ${f.slope_low}〜${f.slope_high}）で上昇しており、${day(f.crosses_at)} 頃（${day(f.earliest)}〜${day(f.latest)}）にしきい値に達する見込みです。`);
    lines.en.push(`Its daily p95 rises ${f.slope_per_day} points a day (95% range ${f.slope_low} to ${f.slope_high}) and is expected to reach the threshold around ${day(f.crosses_at)} (between ${day(f.earliest)} and ${day(f.latest)}).`);
  } else if (f.kind === 'over') {
    lines.ja.push('日次 p95 は既にしきい値を超えています。');
    lines.en.push('Its daily p95 is already over the threshold.');
  }
  lines.ja.push('推奨：しきい値に達する前に CPU の増強（コア追加・インスタンス拡張）または負荷の分散を行い、あわせて負荷増加の要因（アクセス増、バッチ、リリース）を確認します。');
  lines.en.push('Recommendation: add CPU (more cores or a larger instance) or spread the load before the threshold is reached, and find what drives the growth (traffic, batch jobs, releases).');
  return drafted(lines.ja.join('\n'), lines.en.join('\n'));
}

/** Each host of the review with the proposal to show: its open or last proposal, else a draft where one is needed. */
export function withProposals(review: CapacityReview, texts: Pick<ReportTexts, 'current'>) {
  return {
    ...review,
    hosts: review.hosts.map((h) => {
      const saved = texts.current('capacity_proposal', review.environment, h.host);
      const proposal = saved ? shown(saved) : h.proposal_needed ? draftProposal(h, review.environment, review.timezone) : null;
      return { ...h, proposal };
    }),
  };
}

export type CapacityReviewWithProposals = ReturnType<typeof withProposals>;

/** The drafted improvement plan as one text an operator can rework: one line per item. */
export function draftPlan(report: AnnualReport): ShownText {
  const ja = report.plan.map((p) => `・${p.text}`);
  const en = report.plan.map((p) => `- ${p.text_en}`);
  return drafted(ja.length ? ja.join('\n') : '（データから導かれた改善項目はありません）', en.length ? en.join('\n') : '(no improvement items follow from the data)');
}

/** The annual analysis with its plan text: the operator's open or issued plan for this year, else the draft. */
export function withPlan(report: AnnualReport, texts: ReportTexts) {
  const saved = texts.current('improvement_plan', report.environment, report.from);
  return { ...report, plan_text: saved ? shown(saved) : draftPlan(report) };
}

export type AnnualReportWithPlan = ReturnType<typeof withPlan>;
