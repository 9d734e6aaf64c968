import { expect } from 'chai';
import { bindingResponse, errorResponse } from '../../lib/stun/binding-responder.js';
import { METHOD_ALLOCATE, METHOD_BINDING } from '../../lib/stun/constants.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import { shortTermKey, verifyIntegrity } from '../../lib/stun/integrity.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { hex } from './helpers.js';
import { mustDecode } from '../support/stun-bytes.js';

const TID = hex('0a0b0c0d0e0f101112131415');
const source: TransportAddress = { address: '127.0.0.1', port: 40001, family: 4 };

describe('stun: binding responder', () => {
  it('modern request -> success with XOR-MAPPED-ADDRESS, MAPPED-ADDRESS, SOFTWARE, FINGERPRINT', () => {
    const req = mustDecode(encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: TID, attributes: [] },
      { fingerprint: true }));
    const out = bindingResponse(req, source, { software: 'ice-agent' });
    expect(out).to.not.equal(undefined);
    const res = mustDecode(out!);
    expect(res.cls).to.equal('success');
    expect(res.method).to.equal(METHOD_BINDING);
    expect(res.classic).to.equal(false);
    expect(res.transactionId.equals(TID)).to.equal(true);
    expect(res.attributes.map((a) => a.type)).to.deep.equal(['XOR-MAPPED-ADDRESS', 'MAPPED-ADDRESS', 'SOFTWARE', 'FINGERPRINT']);
    expect(getAttribute(res, 'XOR-MAPPED-ADDRESS')?.value).to.deep.equal(source);
    expect(getAttribute(res, 'MAPPED-ADDRESS')?.value).to.deep.equal(source);
    // XOR really happened on the wire: the raw port is not the plain port.
    expect(out!.readUInt16BE(26)).to.equal(source.port ^ 0x2112);
  });

  it('IPv6 source', () => {
    const req = mustDecode(encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: TID, attributes: [] }));
    const v6: TransportAddress = { address: '::1', port: 5000, family: 6 };
    const res = mustDecode(bindingResponse(req, v6)!);
    expect(getAttribute(res, 'XOR-MAPPED-ADDRESS')?.value).to.deep.equal(v6);
  });

  it('classic RFC 3489 request -> same 16-byte id, MAPPED-ADDRESS only, no cookie', () => {
    const id16 = hex('000102030405060708090a0b0c0d0e0f');
    const req = mustDecode(Buffer.concat([hex('00010000'), id16]));
    expect(req.classic).to.equal(true);
    const out = bindingResponse(req, source)!;
    expect(out.subarray(4, 20).equals(id16)).to.equal(true);
    const res = mustDecode(out);
    expect(res.classic).to.equal(true);
    expect(res.cls).to.equal('success');
    expect(res.attributes).to.deep.equal([{ type: 'MAPPED-ADDRESS', value: source }]);
  });

  it('not a Binding request -> undefined', () => {
    for (const [method, cls] of [[METHOD_BINDING, 'success'], [METHOD_BINDING, 'indication'], [METHOD_ALLOCATE, 'request']] as const) {
      const m = mustDecode(encodeMessage({ method, cls, transactionId: TID, attributes: [] }));
      expect(bindingResponse(m, source)).to.equal(undefined);
    }
  });

  it('unknown comprehension-required attributes -> 420 with UNKNOWN-ATTRIBUTES', () => {
    const req = mustDecode(encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: TID, attributes: [
      { type: 'unknown', code: 0x0003, value: hex('00000000') },
      { type: 'unknown', code: 0xc057, value: hex('000003e7') },
      { type: 'unknown', code: 0x7777, value: Buffer.alloc(0) },
    ] }));
    const res = mustDecode(bindingResponse(req, source)!);
    expect(res.cls).to.equal('error');
    expect(res.transactionId.equals(TID)).to.equal(true);
    expect(getAttribute(res, 'ERROR-CODE')?.value).to.deep.equal({ code: 420, reason: 'Unknown Attribute' });
    expect(getAttribute(res, 'UNKNOWN-ATTRIBUTES')?.value).to.deep.equal([0x0003, 0x7777]);
    expect(getAttribute(res, 'FINGERPRINT')).to.not.equal(undefined);
  });

  it('errorResponse: 401 plain, 487 signed with MESSAGE-INTEGRITY', () => {
    const req = mustDecode(encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: TID, attributes: [] }));
    const r401 = mustDecode(errorResponse(req, 401, 'Unauthenticated'));
    expect(r401.attributes.map((a) => a.type)).to.deep.equal(['ERROR-CODE', 'FINGERPRINT']);
    expect(getAttribute(r401, 'ERROR-CODE')?.value).to.deep.equal({ code: 401, reason: 'Unauthenticated' });
    const key = shortTermKey('local-password-1234567890');
    const buf = errorResponse(req, 487, 'Role Conflict', { integrityKey: key });
    const r487 = mustDecode(buf);
    expect(r487.attributes.map((a) => a.type)).to.deep.equal(['ERROR-CODE', 'MESSAGE-INTEGRITY', 'FINGERPRINT']);
    expect(verifyIntegrity(buf, r487, key)).to.equal(true);
    const r400 = mustDecode(errorResponse(req, 400, 'Bad Request', { unknown: [] }));
    expect(getAttribute(r400, 'UNKNOWN-ATTRIBUTES')).to.equal(undefined);
  });
});
