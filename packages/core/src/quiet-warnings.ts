/**
 * TF.js prints a few warnings that say nothing a user can act on when encdec itself triggers
 * them; these helpers drop the ones a predicate picks while a call runs and restore
 * `console.warn` afterwards. Every other warning passes through unchanged.
 *
 * Calls may overlap (two awaited loads at once): one filter is installed while any call runs,
 * holding every running call's predicate, and it is removed when the last call ends. Saving and
 * restoring `console.warn` per call instead would let an inner call that ends last put back the
 * outer call's filter for good.
 */

type Drop = (text: string) => boolean;

/** The predicates of the calls running now; one entry per call (a predicate may repeat). */
const running = new Set<{ drop: Drop }>();
let installed: { filter: typeof console.warn; original: typeof console.warn } | null = null;

function enter(drop: Drop): () => void {
  const entry = { drop };
  running.add(entry);
  if (installed === null) {
    const original = console.warn;
    const filter = (...args: unknown[]) => {
      const text = args[0];
      if (typeof text === 'string' && [...running].some((e) => e.drop(text))) return;
      original.apply(console, args);
    };
    installed = { filter, original };
    console.warn = filter;
  }
  return () => {
    running.delete(entry);
    if (running.size > 0 || installed === null) return;
    // Someone who replaced console.warn while we ran keeps theirs; ours then passes everything.
    if (console.warn === installed.filter) console.warn = installed.original;
    installed = null;
  };
}

/** Runs `fn` with the warnings `drop` picks dropped. */
export function withoutWarningsSync<T>(drop: Drop, fn: () => T): T {
  const leave = enter(drop);
  try {
    return fn();
  } finally {
    leave();
  }
}

/** Awaits `fn` with the warnings `drop` picks dropped (others, from any caller, still pass). */
export async function withoutWarnings<T>(drop: Drop, fn: () => Promise<T>): Promise<T> {
  const leave = enter(drop);
  try {
    return await fn();
  } finally {
    leave();
  }
}
