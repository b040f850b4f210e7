/**
 * Validation against the Vega-Lite v5 JSON schema that vega-lite itself ships, so a spec that
 * passes here is one that Vega-Lite's own tools accept. The schema is compiled once per test file.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

let validate: ValidateFunction | undefined;

/** The schema's error list for `spec`, empty when it is valid. */
export function vegaLiteErrors(spec: unknown): string[] {
  if (validate === undefined) {
    const path = createRequire(import.meta.url).resolve('vega-lite/build/vega-lite-schema.json');
    const schema = JSON.parse(readFileSync(path, 'utf8'));
    // The schema uses union types and keywords that Ajv's strict mode rejects; it is valid draft-07.
    const ajv = new Ajv({ strict: false, allowUnionTypes: true, validateFormats: false });
    validate = ajv.compile(schema);
  }
  return validate(spec) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
