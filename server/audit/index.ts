export { AuditTrail, AUDIT_HEAD_FILE, readHeadFile } from './trail.ts';
export { AuditQueueSealer, QueuedAudit, type AuditSink } from './queue.ts';
export { recordActions } from './record.ts';
export { auditRoutes } from './routes.ts';
export { verifyChain, type VerifyResult } from './verify.ts';
export type { AuditFields } from './chain.ts';
