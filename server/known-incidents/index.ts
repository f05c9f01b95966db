export { KnownIncidents, type OfferedWorkaround, type RankedSuggestion } from './known-incidents.ts';
export { knownIncidentRoutes } from './routes.ts';
export type { IncidentLink, Suggestion, TicketSummary } from './suggest.ts';
