// What a failed load means, decided by the ClickHouse error code (the
// client's ClickHouseError carries it, embedded and remote alike), never by
// the wording of the message, which changes between versions.

/**
 * The bytes themselves are refused: sending the same bytes again cannot
 * help. Each of these is produced by a test in writer.int.test.ts.
 */
export const DATA_ERROR_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [117, 'INCORRECT_DATA'],
  [467, 'CANNOT_PARSE_BOOL'],
]);

/** The database is busy, full, unreachable or shutting down: worth retrying the same bytes later. */
export const TRANSIENT_ERROR_CODES: ReadonlyMap<number, string> = new Map([
  [159, 'TIMEOUT_EXCEEDED'],
  [164, 'READONLY'],
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  [209, 'SOCKET_TIMEOUT'],
  [210, 'NETWORK_ERROR'],
  [225, 'NO_ZOOKEEPER'],
  [236, 'ABORTED'],
  [241, 'MEMORY_LIMIT_EXCEEDED'],
  [242, 'TABLE_IS_READ_ONLY'],
  [243, 'NOT_ENOUGH_SPACE'],
  [252, 'TOO_MANY_PARTS'],
  [319, 'UNKNOWN_STATUS_OF_INSERT'],
  [394, 'QUERY_WAS_CANCELLED'],
  [425, 'SYSTEM_ERROR'],
  [999, 'KEEPER_EXCEPTION'],
]);

export type LoadFailure = 'data' | 'transient' | 'unknown';

/** The ClickHouse error code of an error, when it has one. */
export function clickhouseErrorCode(error: unknown): number | undefined {
  const code = Number((error as { code?: unknown } | undefined)?.code);
  return Number.isInteger(code) && code > 0 ? code : undefined;
}

/** Errors without a code (a refused connection, a timeout in the client) are transient. */
export function classifyLoadError(error: unknown): LoadFailure {
  const code = clickhouseErrorCode(error);
  if (code === undefined || TRANSIENT_ERROR_CODES.has(code)) return 'transient';
  return DATA_ERROR_CODES.has(code) ? 'data' : 'unknown';
}

/** "CANNOT_PARSE_BOOL (467): <first line of the message>", for logs and the set-aside record. */
export function describeLoadError(error: unknown): string {
  const code = clickhouseErrorCode(error);
  const name = (error as { type?: string }).type ?? (code !== undefined ? (DATA_ERROR_CODES.get(code) ?? TRANSIENT_ERROR_CODES.get(code)) : undefined);
  const message = String((error as Error).message ?? error).split('\n')[0]!.slice(0, 500);
  return code === undefined ? message : `${name ?? 'code'} (${code}): ${message}`;
}
