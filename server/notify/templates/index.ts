export { renderAlert } from './alert.ts';
export { renderEscalation, renderWorkaroundNotice, type EscalationInput, type WorkaroundNoticeInput, type WorkaroundPhase } from './ticket.ts';
