/** Every string in a value, looking inside JSON text too: for checks that nothing stored is unmasked. */
export function textsIn(value: unknown): string[] {
  if (typeof value === 'string') {
    if (/^[[{]/.test(value)) {
      try {
        return textsIn(JSON.parse(value) as unknown);
      } catch {
        return [value];
      }
    }
    return [value];
  }
  if (Array.isArray(value)) return value.flatMap(textsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(textsIn);
  return [];
}
