/**
 * Every user-facing error message of `@encdec/core`, in one place (the vega-lite habit): a
 * message names the argument, the value it got and what it expected, and tests assert them.
 * Each area of the package has its own section below.
 */

/** The error every `@encdec/core` check throws; `argument` names what was wrong. */
export class EncdecError extends Error {
  override readonly name = 'EncdecError';
  constructor(
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}

/** Short, readable rendering of a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `name` got `value`, which is not what it expects (`expected`, in words). */
export function invalidArgument(name: string, value: unknown, expected: string): EncdecError {
  return new EncdecError(`${name} must be ${expected}, got ${show(value)}.`, name);
}

// --- backend --------------------------------------------------------------------------------------

// --- preprocess -----------------------------------------------------------------------------------

// --- datasets -------------------------------------------------------------------------------------

// --- attention ------------------------------------------------------------------------------------

// --- model ----------------------------------------------------------------------------------------

// --- train ----------------------------------------------------------------------------------------

// --- io -------------------------------------------------------------------------------------------

// --- search ---------------------------------------------------------------------------------------

// --- metrics --------------------------------------------------------------------------------------
