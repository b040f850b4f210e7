/**
 * TF.js prints a few warnings that say nothing a user can act on when encdec itself triggers
 * them; these helpers drop the ones a predicate picks while a call runs and restore
 * `console.warn` afterwards. Every other warning passes through unchanged.
 */

type Drop = (text: string) => boolean;

function filtered(warn: typeof console.warn, drop: Drop): typeof console.warn {
  return (...args: unknown[]) => {
    if (typeof args[0] === 'string' && drop(args[0])) return;
    warn.apply(console, args);
  };
}

/** Runs `fn` with the warnings `drop` picks dropped. */
export function withoutWarningsSync<T>(drop: Drop, fn: () => T): T {
  const warn = console.warn;
  console.warn = filtered(warn, drop);
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

/** Awaits `fn` with the warnings `drop` picks dropped (others, from any caller, still pass). */
export async function withoutWarnings<T>(drop: Drop, fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = filtered(warn, drop);
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}
