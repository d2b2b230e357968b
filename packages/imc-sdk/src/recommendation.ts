/**
 * Combining the IMVs' recommendations into the PB-TNC access recommendation, as strongSwan's default policy
 * (libtnccs tnc_imv_recommendations.c, recommendation_policy = default): any 'no access' → Access Denied, else any
 * 'isolate' → Quarantined, else any 'allow' → Access Allowed; IMVs with 'no recommendation' do not count, and when
 * none gave one the answer is Access Denied. The evaluation is the worst one given ('don't know' only if nothing else).
 */
import { AccessRecommendation } from '@tncjs/pb-tnc';
import { ImvEvaluation, ImvRecommendation } from './types.js';
import type { ImvVerdict } from './imv.js';

export interface CombinedDecision {
  /** PB-TNC access recommendation (1 Access Allowed, 2 Access Denied, 3 Quarantined). */
  recommendation: number;
  /** IMV-level recommendation the PB value came from. */
  action: ImvRecommendation;
  /** PB-TNC / IF-IMV evaluation result. */
  evaluation: ImvEvaluation;
  reasons: string[];
}

const RANK: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: -1 };

export function combineRecommendations(verdicts: readonly (ImvVerdict | undefined)[]): CombinedDecision {
  const given = verdicts.filter((v): v is ImvVerdict => v !== undefined && v.recommendation !== ImvRecommendation.NO_RECOMMENDATION);
  let action: ImvRecommendation;
  if (given.length === 0 || given.some((v) => v.recommendation === ImvRecommendation.NO_ACCESS)) action = ImvRecommendation.NO_ACCESS;
  else if (given.some((v) => v.recommendation === ImvRecommendation.ISOLATE)) action = ImvRecommendation.ISOLATE;
  else action = ImvRecommendation.ALLOW;
  let evaluation: ImvEvaluation = ImvEvaluation.DONT_KNOW;
  for (const v of verdicts) if (v && RANK[v.evaluation] > RANK[evaluation]) evaluation = v.evaluation;
  const recommendation = action === ImvRecommendation.ALLOW ? AccessRecommendation.ALLOWED : action === ImvRecommendation.ISOLATE ? AccessRecommendation.ISOLATED : AccessRecommendation.DENIED;
  return { recommendation, action, evaluation, reasons: verdicts.flatMap((v) => v?.reasons ?? []) };
}
