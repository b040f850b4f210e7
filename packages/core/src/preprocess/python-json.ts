/**
 * The two JSON details a Keras tokenizer file depends on, which `JSON.parse`/`JSON.stringify`
 * get wrong for it:
 *
 * - Order. Keras breaks count ties in `word_counts` by insertion order, and a JS object puts
 *   integer-like keys ("1984") first, so a flat `{"word": count}` object is read here into an
 *   ordered list of entries instead.
 * - Layout. Keras stores each dictionary as a string made by Python's `json.dumps` (separators
 *   ", " and ": ", `ensure_ascii`: everything outside printable ASCII as \uXXXX), so that ours are
 *   byte-identical to the strings Keras writes.
 */
import { show } from '../errors.js';

/** Python's `json.dumps(s)` for a string: JSON escapes, then every non-printable-ASCII code unit. */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Python's `json.dumps(d)` for a dict of str/int keys and str/int values, in `entries` order. */
export function pythonJsonObject(entries: Iterable<readonly [string | number, string | number]>) {
  const parts: string[] = [];
  for (const [key, value] of entries) {
    const v = typeof value === 'string' ? pythonJsonString(value) : String(value);
    parts.push(`${pythonJsonString(String(key))}: ${v}`);
  }
  return `{${parts.join(', ')}}`;
}

// One `"key": value` member of a flat object: a JSON string key, then a JSON string or number.
const MEMBER =
  /\s*("(?:[^"\\]|\\.)*")\s*:\s*("(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(,|\})/gy;

/**
 * Parses a flat JSON object (string keys; string or number values) into its entries in file
 * order. Throws a plain Error naming `what` on anything else; the caller adds context.
 */
export function parseOrderedObject(text: string, what: string): [string, string | number][] {
  const fail = () =>
    new Error(`${what} must be a JSON object of strings or numbers, got ${show(text)}`);
  if (typeof text !== 'string') throw fail();
  const start = text.indexOf('{');
  if (start < 0 || text.slice(0, start).trim() !== '') throw fail();
  const entries: [string, string | number][] = [];
  let at = start + 1;
  if (/^\s*\}\s*$/.test(text.slice(at))) return entries;
  MEMBER.lastIndex = at;
  for (;;) {
    const m = MEMBER.exec(text);
    if (m === null) throw fail();
    entries.push([JSON.parse(m[1]!) as string, JSON.parse(m[2]!) as string | number]);
    at = MEMBER.lastIndex;
    if (m[3] === '}') break;
  }
  if (text.slice(at).trim() !== '') throw fail();
  return entries;
}
