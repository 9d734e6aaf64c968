/** Every error the library throws on API misuse carries a stable `code`. */
export type IceErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_INVALID_CANDIDATE'
  | 'ERR_INVALID_CREDENTIALS'
  | 'ERR_INVALID_STATE'
  | 'ERR_NO_SELECTED_PAIR'
  | 'ERR_CLOSED'
  | 'ERR_ICE_FAILED'
  | 'ERR_TIMEOUT'
  | 'ERR_SOCKET'
  | 'ERR_STUN_SERVER'
  | 'ERR_STUN_ENCODE'
  | 'ERR_UNSUPPORTED';

export class IceError extends Error {
  override readonly name = 'IceError';
  constructor(readonly code: IceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
