import type { WallDocument } from './types.ts';

/**
 * The wall's live data: one Server-Sent Events stream per environment
 * (the browser reconnects on its own). `connected` drives the live/offline mark.
 */
export function wallStream(environment: () => string) {
  const state = $state<{ doc: WallDocument | undefined; connected: boolean }>({ doc: undefined, connected: false });
  $effect(() => {
    const source = new EventSource(`/api/v1/wall/stream?environment=${encodeURIComponent(environment())}`);
    source.addEventListener('wall', (event) => {
      state.doc = JSON.parse((event as MessageEvent<string>).data) as WallDocument;
      state.connected = true;
    });
    source.onerror = () => (state.connected = false);
    return () => source.close();
  });
  return state;
}
