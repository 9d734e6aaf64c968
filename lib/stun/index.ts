// Public STUN API (pure: no sockets, no timers, no wall clock).
export type * from './types.js';
export * from './constants.js';
export {
  FAMILY_IPV4, FAMILY_IPV6, addressValueLength, writeAddressValue, encodeAddressValue,
  readAddressValue, decodeAddressValue, parseIPv4, parseIPv6, formatIPv6,
  type AddressDecodeFailure,
} from './address-codec.js';
export { messageType, methodOf, classOf } from './message-type.js';
export { encodeMessage, type EncodeOptions } from './encode.js';
export { decodeMessage } from './decode.js';
export { shortTermKey, longTermKey, verifyIntegrity, verifyIntegritySha256, fingerprintOf } from './integrity.js';
export { getAttribute, getAttributes } from './get-attribute.js';
export { isStunDatagram, looksLikeClassicStun } from './demux.js';
export {
  ClientTransaction, TransactionTable, DEFAULT_RETRANSMIT, newTransactionId, earliestDeadline,
  type RetransmitPolicy, type TransactionTick,
} from './transaction.js';
export { bindingResponse, errorResponse, REASON_PHRASES, type ErrorResponseOptions } from './binding-responder.js';
