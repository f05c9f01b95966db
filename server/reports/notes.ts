import type { Language } from './tables.ts';

/** A remark printed under one section of a report (in JSON too), so a figure is never read without what it leaves out. */
export interface ReportNote extends Record<Language, string> {
  code: string;
  /** The table it belongs under. */
  section: 'targets' | 'hosts';
}

export const NOTES = {
  /** The burn-rate alerts (rules/kinds/burn-rate.ts) count every probe, maintenance or not; the budget follows them. */
  errorBudget: {
    code: 'error_budget_counts_maintenance',
    section: 'targets',
    ja: 'エラーバジェットは SLO のバーンレート監視と同じく、宣言済みの保守時間中の失敗・遅延も含めて計算しています（保守を除くのは「可用性・保守除く」の列だけです）。',
    en: 'The error budget counts failures and slow answers inside declared maintenance too, as the SLO burn-rate alerts do; only the "availability excl. maintenance" column leaves maintenance out.',
  },
  maintenanceHourly: {
    code: 'maintenance_from_hourly',
    section: 'targets',
    ja: 'この月の 1 分集計は保存期間を過ぎたため、保守時間中の計測は 1 時間集計から数えています（保守時間は 1 時間単位）。',
    en: "This month's 1-minute rollup is past its retention: the probes inside maintenance are counted from the hourly rollup (the windows are whole hours).",
  },
  maintenanceUnknown: {
    code: 'maintenance_unavailable',
    section: 'targets',
    ja: 'この月の 1 分集計は保存期間を過ぎており、保守時間が 1 時間単位でないため、保守を除く可用性は算出できません（空欄）。',
    en: "This month's 1-minute rollup is past its retention and its maintenance windows are not whole hours, so the availability excluding maintenance cannot be given (left blank).",
  },
  cpuHourly: {
    code: 'cpu_from_hourly',
    section: 'hosts',
    ja: 'この月の 1 分集計は保存期間を過ぎたため、CPU は 1 時間集計から求めています（しきい値超過時間は 1 時間平均で判定）。',
    en: "This month's 1-minute rollup is past its retention: CPU comes from the hourly rollup (time above the threshold judged on hourly means).",
  },
} satisfies Record<string, ReportNote>;
