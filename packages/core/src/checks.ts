/**
 * Argument checks that every folder uses; each throws an `EncdecError` naming the argument and
 * the value it got (errors.ts).
 */
import { invalidArgument } from './errors.js';

/** Throws unless `value` is an integer >= 1. */
export function positiveInt(name: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
    throw invalidArgument(name, value, 'a positive integer');
  }
  return value;
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidArgument(
      name,
      value,
      min === 0 ? 'a non-negative integer' : `an integer >= ${min}`,
    );
  }
  return value;
}
