/** Details in a customer's message: card, identity document, old and new phone, code, corrections. */
export { extractDetails, type Details, type DetailSlot, type DetailsHint } from './extractDetails';
export { numberOutOfUse, oldNumberGone } from './oldNumberGone';
