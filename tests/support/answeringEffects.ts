import { fromPromise } from 'xstate';
import type {
  ChangeBindingInput,
  ChangeBindingOutput,
  CheckNewPhoneInput,
  CheckNewPhoneOutput,
  IdentityInput,
  IdentityOutput,
  SendCodeInput,
  SendCodeOutput,
  VerifyCodeInput,
  VerifyCodeOutput,
} from '../../dialogs/types';

/** The code the fakes take as right; any other is wrong. */
export const RIGHT_CODE = '909090';

/**
 * Fake effects of the change itself, each answering at once with success: the identity passes, codes
 * go out, `RIGHT_CODE` verifies, the new number is free, the change commits. For the chart run alone
 * (stored snapshots restored, the chart's cost measured); the people's effects are each caller's.
 */
export const answeringEffects = {
  verifyIdentity: fromPromise<IdentityOutput, IdentityInput>(async () => ({ result: 'ok', customerId: 'cust', cardId: 'card' })),
  sendCode: fromPromise<SendCodeOutput, SendCodeInput>(async () => ({ result: 'sent', ttlMinutes: 5, resendSeconds: 60 })),
  verifyCode: fromPromise<VerifyCodeOutput, VerifyCodeInput>(async ({ input }) =>
    input.code === RIGHT_CODE ? { result: 'ok', codeId: `code-${input.purpose}` } : { result: 'wrong', attemptsLeft: 4 },
  ),
  checkNewPhone: fromPromise<CheckNewPhoneOutput, CheckNewPhoneInput>(async () => ({ result: 'ok' })),
  changeBinding: fromPromise<ChangeBindingOutput, ChangeBindingInput>(async () => ({ result: 'changed' })),
};
