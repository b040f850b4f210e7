// Every test file: a temporary directory of its own, and a failure if the file leaves anything in
// it (vitest `setupFiles`; its afterAll runs after the file's own, which are registered later).
import { afterAll } from 'vitest';
import { guardTempDir } from '../helpers/temp-dir-guard.js';

const guard = guardTempDir();
afterAll(() => guard.finish());
