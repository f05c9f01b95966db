import v8 from 'node:v8';
import vm from 'node:vm';

// V8 collects garbage when JavaScript allocates. After a burst of large
// request bodies the server may be idle, and the bodies' buffers (external
// memory, hundreds of MiB after a burst of compression bombs) would stay
// resident until something else allocates. This asks for full collections
// shortly after such a burst: two, because buffers still held by streams
// being torn down at the first are only free by the second.

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const AFTER_MS = [1000, 4000];
const MIN_INTERVAL_MS = 10_000;
let pending = false;
let last = -Infinity;

/** Schedules collections 1 s and 4 s from now (coalesced; a new round at most every 10 s). */
export function collectGarbageSoon(): void {
  if (pending) return;
  pending = true;
  const start = Math.max(0, last + MIN_INTERVAL_MS - Date.now());
  AFTER_MS.forEach((ms, i) => {
    setTimeout(() => {
      gc();
      if (i === AFTER_MS.length - 1) {
        pending = false;
        last = Date.now();
      }
    }, start + ms).unref();
  });
}
