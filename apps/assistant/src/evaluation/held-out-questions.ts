import { DEV_SET_3 } from './dev-questions-3';
import { type EvaluationMessage } from './evaluation-set';

/**
 * The blind set v2, DEMOTED on 2026-12-07 after its one measurement: its messages now live in
 * `dev-questions-3.ts` (a development set). Kept under its old name for what still imports it; the
 * accuracy command measures `held-out-questions-3.ts` by default.
 */
export const HELD_OUT: readonly EvaluationMessage[] = DEV_SET_3;
