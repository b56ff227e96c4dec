import { changePhoneSetup } from './setup';

/*
 * The questions for the change's details. Each only asks: the answer (or several details at once,
 * or a correction of an earlier one) is taken by the flow itself (`changing` in changing.ts), which
 * routes on to whatever is still missing.
 */

export const collectingCard = changePhoneSetup.createStateConfig({ entry: { type: 'ask', params: { expecting: 'cardNumber' } } });

export const collectingId = changePhoneSetup.createStateConfig({ entry: { type: 'ask', params: { expecting: 'idNumber' } } });

export const collectingOldPhone = changePhoneSetup.createStateConfig({ entry: { type: 'ask', params: { expecting: 'oldPhone' } } });

export const collectingNewPhone = changePhoneSetup.createStateConfig({ entry: { type: 'ask', params: { expecting: 'newPhone' } } });
