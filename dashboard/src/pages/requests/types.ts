// What /api/v1/requests and /api/v1/operations answer: the server's own schemas (server/approvals/schemas.ts).
import type { Static } from 'typebox';
import type { OperationsAnswer, RequestAnswer } from '../../../../server/approvals/schemas.ts';

export type RequestRow = RequestAnswer;
export type RequestState = RequestAnswer['state'];
/** Who acted; role `system` is Mimamori itself (a shorter retention found in the configuration). */
export type Who = RequestAnswer['requester'];

/** An operation that may be requested, with the fields its form asks for. */
export type OperationInfo = Static<typeof OperationsAnswer>['operations'][number];
export type OperationField = OperationInfo['fields'][number];

/** The form's values by field name, as the inputs hold them: a time field holds a datetime-local value in the configured zone. */
export interface RequestDraft {
  operation: string;
  values: Record<string, string>;
  reason: string;
}
