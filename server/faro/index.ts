// The Faro real-user-monitoring capability's public door.
export { faroRoutes, type FaroRoutesOptions } from './routes.ts';
export { FaroConfigSchema, resolveFaro, withDashboardApp, DASHBOARD_APP, DASHBOARD_KEY_FILE, type FaroApp, type ResolvedFaro } from './config.ts';
export { COLLECT_PATH } from './collect.ts';
export { FaroPayload, RumSeriesResponse, RumSummaryResponse, FaroClientConfig } from './schemas.ts';
