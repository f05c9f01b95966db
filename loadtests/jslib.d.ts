// Types for the jslib module k6 fetches at start (k6 imports remote modules
// by URL; `k6 archive` bundles it for a machine without internet access).
declare module 'https://jslib.k6.io/k6-summary/0.0.2/index.js' {
  /** k6's end-of-test text report from the handleSummary data object. */
  export function textSummary(data: unknown, options?: { indent?: string; enableColors?: boolean }): string;
}
