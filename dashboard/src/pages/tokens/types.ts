// What /api/v1/tokens answers and takes: the server's own schemas (server/auth/schemas.ts).
import type { CreateTokenBody as CreateBody, TokenView } from '../../../../server/auth/schemas.ts';

export type TokenKind = 'personal' | 'display' | 'ingest';
export { ROLES, type RoleName } from '../../lib/roles.ts';

/** A token as listed: never its secret. `role` is empty for display and ingest tokens. */
export type TokenRow = Omit<TokenView, 'kind'> & { kind: TokenKind };
export type CreateTokenBody = CreateBody;

/** The answer to a creation: the token in full, the only time it is shown. */
export interface CreatedToken {
  token: string;
  info: TokenRow;
}
