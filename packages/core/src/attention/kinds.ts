/**
 * The attention scoring functions this package knows, as one `as const` list: it gives the union
 * type, the type guard and the error message's list of choices from a single source.
 *
 * The names are lowerCamel on purpose: TF.js rewrites string values of a layer's `getConfig()` to
 * snake_case on save and back to lowerCamel on load, so only lowerCamel names survive a round trip.
 */

/**
 * - `dot`: score = q . k (Luong et al. 2015, "dot").
 * - `scaledDot`: score = q . k / sqrt(d_k) (Vaswani et al. 2017, eq. 1).
 * - `general`: score = q W k^T (Luong et al. 2015, "general").
 * - `additive`: score = v^T tanh(W_q q + W_k k) (Bahdanau et al. 2015, eq. A.1.2; Luong's "concat").
 */
export const ATTENTION_KINDS = ['dot', 'scaledDot', 'general', 'additive'] as const;

export type AttentionKind = (typeof ATTENTION_KINDS)[number];

export function isAttentionKind(x: unknown): x is AttentionKind {
  return typeof x === 'string' && (ATTENTION_KINDS as readonly string[]).includes(x);
}
