/**
 * Type checks that work across copies of this library (two copies break `instanceof`): each
 * construct marks its instances with a global symbol, and its static `isX()` looks for it.
 */
export function markBrand(instance: object, brand: symbol): void {
  Object.defineProperty(instance, brand, { value: true });
}

/** Whether `x` carries `brand`. */
export function hasBrand(x: unknown, brand: symbol): boolean {
  return typeof x === 'object' && x !== null && brand in x;
}
