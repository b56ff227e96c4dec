/**
 * The change-number conversation: a pure statechart. Its effects are named in `dialogs/types.ts`
 * (`ChartEffects`), run by its `effects` actor (`effects.ts`) and provided at the composition root
 * (`server/chartEffects.ts`: `effectsActor(…)`); its regions are one file each.
 */
export { changePhoneMachine, type ChangePhoneMachine } from './machine';
export { EFFECTS_ACTOR, effectsActor } from './effects';
