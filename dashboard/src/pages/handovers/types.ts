// A hand-over as /api/v1/handovers answers it (server/handovers/routes.ts); dates are YYYY-MM-DD.
export interface Handover {
  id: string;
  handed_on: string;
  from: string;
  to: string;
  content: string;
  means: string;
  /** Null while the data is out. */
  returned_on: string | null;
  note: string;
  recorded_by: string;
  recorded_at: string;
}

/** What recording one takes (POST /api/v1/handovers). */
export interface HandoverDraft {
  handed_on: string;
  from: string;
  to: string;
  content: string;
  means: string;
  note: string;
}
