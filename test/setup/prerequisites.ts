// Before any test: Jupyter, Chromium and the IMDB data must be there (the notebook, browser and
// dataset tests need them). A missing one stops the run at once with one message that names it
// and the command that installs it, rather than failing tests one by one minutes later, or
// skipping them. `npm run setup` installs them all.
import { missingForTests } from '../../scripts/prerequisites.mjs';

export default function checkPrerequisites(): void {
  const missing = missingForTests();
  if (missing.length === 0) return;
  throw new Error(
    `npm test needs what the README's "Prerequisites" list; missing here:\n${missing
      .map((m: string) => `  - ${m}`)
      .join(
        '\n',
      )}\nRun \`npm run setup\` (it installs them where it can and says what else to do).`,
  );
}
