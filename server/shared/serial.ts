/**
 * Runs the given jobs one after another, in call order; a failed job does
 * not stop the ones after it. The event-sourced stores use it so sequence
 * numbers and folds never interleave.
 */
export function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
}
