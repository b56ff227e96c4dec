/** Thrown (or wrapped) when the shared store cannot be reached: the turn fails closed. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
