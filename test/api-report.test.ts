/**
 * The public API is written down: api/*.api.md are API Extractor's reports of `@encdec/core`, its
 * secondary entry `@encdec/core/internal` and `@encdec/viz`, made from the built declarations
 * (`npm test` builds them first). A change to what a package exports fails here until the report
 * is regenerated with `npm run api` and committed, so that it shows as a diff in review.
 */
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const configs = [
  'packages/core/api-extractor.json',
  'packages/core/api-extractor.internal.json',
  'packages/viz/api-extractor.json',
];

describe('API reports', () => {
  for (const config of configs) {
    it(`${config}: the committed report matches the built declarations`, () => {
      const prepared = ExtractorConfig.loadFileAndPrepare(`${root}${config}`);
      const result = Extractor.invoke(prepared, {
        localBuild: false,
        messageCallback: (m) => {
          m.handled = true; // printed below only when the report changed
        },
      });
      expect(
        result.apiReportChanged,
        `${prepared.reportFilePath} is out of date: run \`npm run api\` and commit the report`,
      ).toBe(false);
      expect(result.succeeded).toBe(true);
    }, 60_000);
  }
});
