import type { AttributeOf, StunAttributeType, StunMessageInit } from './types.js';

/** First attribute of `type` (RFC 8489 §14: with duplicates, the first one counts), typed. */
export function getAttribute<T extends StunAttributeType>(
  msg: StunMessageInit, type: T,
): AttributeOf<T> | undefined {
  const attrs = msg.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.type === type) return a as AttributeOf<T>;
  }
  return undefined;
}

/** Every attribute of `type`, in message order. */
export function getAttributes<T extends StunAttributeType>(
  msg: StunMessageInit, type: T,
): AttributeOf<T>[] {
  return msg.attributes.filter((a): a is AttributeOf<T> => a.type === type);
}
