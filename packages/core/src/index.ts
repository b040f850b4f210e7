/**
 * `@encdec/core`: the public API. Everything a user imports comes from here, and nothing else is
 * public. Sections follow the package's folders.
 */

export { EncdecError } from './errors.js';

// --- backend -----------------------------------------------------------------------------------

// --- preprocess --------------------------------------------------------------------------------

// --- datasets ----------------------------------------------------------------------------------
