import type { ChartEffects } from '../../dialogs/types';

/** The code the fakes take as right; any other is wrong. */
export const RIGHT_CODE = '909090';

/**
 * Fake effects of the change itself, each answering at once with success: the identity passes, codes
 * go out, `RIGHT_CODE` verifies, the new number is free, the change commits. For the chart run alone
 * (stored snapshots restored, the chart's cost measured); the people's effects are each caller's.
 */
export const answeringEffects = {
  verifyIdentity: async () => ({ result: 'ok', customerId: 'cust', cardId: 'card' }),
  sendCode: async () => ({ result: 'sent', ttlMinutes: 5, resendSeconds: 60 }),
  verifyCode: async (input) =>
    input.code === RIGHT_CODE ? { result: 'ok', codeId: `code-${input.purpose}` } : { result: 'wrong', attemptsLeft: 4 },
  checkNewPhone: async () => ({ result: 'ok' }),
  changeBinding: async () => ({ result: 'changed' }),
} satisfies Partial<ChartEffects>;
