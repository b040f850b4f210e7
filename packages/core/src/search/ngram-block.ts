/**
 * No-repeat n-gram blocking (Paulus et al. 2018): a token is banned for a hypothesis when it would
 * complete an n-gram the hypothesis already contains. Only returned tokens count (the start token
 * is not part of any n-gram). The check runs in JavaScript on the token lists search keeps anyway.
 */

/** The tokens `tokens` must not take next, so as not to repeat an n-gram of size `n` (n >= 1). */
export function bannedNextTokens(tokens: readonly number[], n: number): number[] {
  if (tokens.length < n - 1) return [];
  const prefixStart = tokens.length - (n - 1); // the last n - 1 tokens start here
  const banned: number[] = [];
  for (let start = 0; start + n <= tokens.length; start++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = tokens[start + j] === tokens[prefixStart + j];
    if (same) banned.push(tokens[start + n - 1]!);
  }
  return banned;
}
