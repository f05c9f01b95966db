export { HandoverLedger, type Handover } from './ledger.ts';
export { handoverRoutes } from './routes.ts';
