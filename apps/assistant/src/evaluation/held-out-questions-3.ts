import { type EvaluationMessage } from './evaluation-set';

/**
 * The blind set v3: a PLACEHOLDER on this branch (empty). The set is written apart, on another branch,
 * and replaces this file at merge; it is measured once, never tuned on.
 */
export const HELD_OUT_3: readonly EvaluationMessage[] = [];
