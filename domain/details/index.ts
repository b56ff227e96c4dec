/** Details in a customer's message: card, identity document, old and new phone, code, corrections. */
export type { Details } from './details';
export { extractDetails, type DetailSlot, type DetailsHint } from './extractDetails';
export { numberOutOfUse, oldNumberGone } from './oldNumberGone';
