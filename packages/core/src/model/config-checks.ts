/**
 * The checks every model config shares: an object, no unknown keys, rates, flags and seeds, each
 * throwing an error that names the field.
 */
import { invalidArgument, unknownKeys } from '../errors.js';

export function checkObject(config: unknown, name: string): void {
  if (config === null || typeof config !== 'object') {
    throw invalidArgument(name, config, 'a config object');
  }
}

/**
 * Throws unless every key of `config` is one `resolved` has (or one of the `optional` ones): a
 * misspelt or misplaced field (`attention` on the encoder) would otherwise be ignored silently.
 */
export function checkKeys(
  config: object,
  resolved: object,
  prefix: string,
  optional: string[] = [],
): void {
  const allowed = [...Object.keys(resolved), ...optional];
  const unknown = Object.keys(config).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw unknownKeys(prefix ? prefix.slice(0, -1) : 'config', unknown, allowed);
}

export function rate(name: string, value: unknown): number {
  if (!(typeof value === 'number' && value >= 0 && value < 1)) {
    throw invalidArgument(name, value, 'a number in [0, 1)');
  }
  return value;
}

export function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidArgument(name, value, 'true or false');
  return value;
}

export function withSeed<T extends object>(
  resolved: T,
  name: string,
  seed: unknown,
): T & { seed?: number } {
  if (seed === undefined) return resolved;
  if (!(typeof seed === 'number' && Number.isInteger(seed))) {
    throw invalidArgument(name, seed, 'an integer');
  }
  return { ...resolved, seed };
}
