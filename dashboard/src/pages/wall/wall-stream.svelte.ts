import type { WallDocument } from './types.ts';

/** How long a refused stream waits before asking again (a 429 says 30 s; a sign-in in another tab should show soon). */
const RETRY_MS = 15_000;

/**
 * The wall's live data: one Server-Sent Events stream per environment.
 * The browser reconnects a dropped stream on its own, but gives up on one
 * refused (any answer but 200: no session and no display token, a revoked
 * token, too many streams). Then the wall asks the document itself why:
 * 401 sets `refused` (the wall needs a sign-in or a display token);
 * anything else is tried again later. `connected` drives the live mark;
 * `lostAt` is when an open or working stream last failed (0: it has not).
 */
export function wallStream(environment: () => string) {
  const state = $state<{ doc: WallDocument | undefined; connected: boolean; refused: boolean; lostAt: number }>({ doc: undefined, connected: false, refused: false, lostAt: 0 });
  $effect(() => {
    const query = `?environment=${encodeURIComponent(environment())}`;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(`/api/v1/wall/stream${query}`);
      source.addEventListener('wall', (event) => {
        state.doc = JSON.parse((event as MessageEvent<string>).data) as WallDocument;
        state.connected = true;
        state.refused = false;
        state.lostAt = 0;
      });
      source.onerror = () => {
        state.connected = false;
        if (!state.lostAt) state.lostAt = Date.now();
        if (source?.readyState === EventSource.CLOSED) void askWhy();
      };
    };
    const askWhy = async () => {
      const status = await fetch(`/api/v1/wall${query}`, { credentials: 'same-origin' }).then((r) => r.status, () => 0);
      if (stopped) return;
      state.refused = status === 401;
      if (state.refused) state.doc = undefined;
      retry = setTimeout(open, RETRY_MS);
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  });
  return state;
}
