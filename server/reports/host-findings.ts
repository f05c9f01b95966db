import { buildCapacityReview, leadingForecast, startOfToday, type CapacityDeps } from './capacity.ts';
import { withProposals } from './proposals.ts';
import type { ReportTexts } from './texts.ts';
import type { Month } from './period.ts';

export type HostFindings = ReturnType<typeof findingsOf>;

/**
 * The capacity review as the monthly report shows it beside each host's
 * CPU: the review's own code, over the 90 days up to the month's end (or
 * up to today for the month under way), so the forecast is what the review
 * said then; the proposal's state is where it stands now.
 */
export async function capacityFindings(deps: CapacityDeps, environment: string, month: Month, texts: Pick<ReportTexts, 'current'>) {
  const review = await buildCapacityReview(deps, environment, { until: Math.min(month.to, startOfToday(deps)) });
  const hosts = withProposals(review, texts).hosts;
  return {
    review: { from: review.from, to: review.to, horizon_days: review.horizon_days },
    of: (host: string) => {
      const h = hosts.find((x) => x.host === host);
      return h ? findingsOf(h) : NO_FINDINGS;
    },
  };
}

function findingsOf(h: Parameters<typeof leadingForecast>[0] & { proposal_needed: boolean; proposal: { status: string } | null }) {
  const f = leadingForecast(h);
  return {
    forecast: f.kind,
    forecast_window_days: f.window_days,
    crosses_at: f.crosses_at,
    crosses_earliest: f.earliest,
    crosses_latest: f.latest,
    proposal_needed: h.proposal_needed,
    /** drafted (from the figures, not saved), draft, proposed, issued; null when none is needed or written. */
    proposal_status: h.proposal?.status ?? null,
  };
}

/** A host the review did not read (no 1-minute CPU in its 90 days). */
const NO_FINDINGS: HostFindings = { forecast: 'not_enough_data', forecast_window_days: 90, crosses_at: null, crosses_earliest: null, crosses_latest: null, proposal_needed: false, proposal_status: null };
