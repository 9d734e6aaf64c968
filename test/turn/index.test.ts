import { expect } from 'chai';
import * as turn from '../../lib/turn/index.js';

describe('turn: public API', () => {
  it('exports the allocation, the codecs, the parser and the credential helper', () => {
    for (const name of ['TurnAllocation', 'parseIceServerUri', 'restCredentials', 'encodeChannelData', 'decodeChannelData', 'StreamFramer']) {
      expect(turn, name).to.have.property(name).that.is.a('function');
    }
    expect([turn.MAX_STALE_NONCE_RETRIES, turn.MAX_REDIRECTS, turn.MAX_ALLOCATION_MISMATCH_RETRIES]).to.deep.equal([3, 1, 3]);
  });
});
