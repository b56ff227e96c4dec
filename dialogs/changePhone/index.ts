/**
 * The change-number conversation: a pure statechart. Its effects are named in `setup.ts` and provided
 * at the composition root (`server/chartEffects.ts`); its regions are one file each.
 */
export { changePhoneMachine, type ChangePhoneMachine } from './machine';
