// RFC 8445 §6.1.2.3 candidate pair priority: a 64-bit value, hence bigint.

/**
 * 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), where G is the controlling agent's
 * candidate priority and D the controlled agent's. Exceeds 2^53, so numbers
 * would lose precision and `1 << 32` would be 1.
 */
export function pairPriority(controllingPriority: number, controlledPriority: number): bigint {
  const g = BigInt(controllingPriority);
  const d = BigInt(controlledPriority);
  const min = g < d ? g : d;
  const max = g < d ? d : g;
  return (min << 32n) + 2n * max + (g > d ? 1n : 0n);
}
