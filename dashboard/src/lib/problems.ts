import { ApiError } from './api.ts';
import { t } from './i18n.svelte.ts';
import { messages, type MessageKey } from './messages.ts';
import { formatTime } from './format.ts';

const known = (key: string): key is MessageKey => key in messages.ja;

/**
 * What went wrong, in the page's language: each refused password rule by its
 * code, other coded errors from the catalogue, else the server's own words.
 */
export function describeProblems(error: unknown, timezone: string): string[] {
  if (!(error instanceof ApiError)) return [String(error)];
  if (error.code === 'password_policy') {
    return error.details.map((d) => (d.code && known(`policy.${d.code}`) ? t(`policy.${d.code}` as MessageKey, { name: d.name ?? '' }) : d.reason));
  }
  if (error.status === 429) {
    const retryAt = error.details[0]?.retry_at ?? (error.retryAfterS !== undefined ? Date.now() + error.retryAfterS * 1000 : undefined);
    if (retryAt !== undefined) return [t('login.locked', { time: formatTime(retryAt, timezone) })];
  }
  const key = `error.${error.code}`;
  return [known(key) ? t(key) : `${error.status}: ${error.message}`];
}

/** Runs one change a page makes: the problems it met (empty when accepted), in the page's language. */
export async function attempt(work: () => Promise<unknown>, timezone: string): Promise<string[]> {
  try {
    await work();
    return [];
  } catch (error) {
    return describeProblems(error, timezone);
  }
}
