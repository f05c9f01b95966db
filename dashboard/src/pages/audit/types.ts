// What /api/v1/audit and /api/v1/audit/verify answer (server/audit/routes.ts, verify.ts).
import type { Static } from 'typebox';
import type { AuditEntryAnswer, VerifyAnswer } from '../../../../server/audit/routes.ts';
import type { RoleName } from '../../lib/roles.ts';

export type AuditEntry = Static<typeof AuditEntryAnswer>;
export type VerifyResult = Static<typeof VerifyAnswer>;

/** The filter as the form holds it: from/to are datetime-local values in the configured zone, empty for the server's default. */
export interface AuditFilter {
  actor: string;
  action: string;
  result: '' | AuditEntry['result'];
  /** The actor's role at the time, e.g. admin: the privileged actions. */
  role: '' | RoleName;
  from: string;
  to: string;
}

export const blankFilter = (): AuditFilter => ({ actor: '', action: '', result: '', role: '', from: '', to: '' });
