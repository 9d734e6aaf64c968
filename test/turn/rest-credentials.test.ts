import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { restCredentials, restPassword } from '../../lib/turn/rest-credentials.js';
import { IceError } from '../../lib/util/errors.js';

describe('turn: REST credentials (TURN REST draft, coturn --use-auth-secret)', () => {
  it('username is expiry:user, password base64(HMAC-SHA1(secret, username))', () => {
    const c = restCredentials('s3cret', 'alice', 3600, 1_700_000_000.9);
    expect(c.username).to.equal('1700003600:alice');
    // Independent computation (openssl dgst -sha1 -hmac s3cret -binary | base64 gives the same).
    expect(c.password).to.equal(createHmac('sha1', Buffer.from('s3cret')).update('1700003600:alice').digest('base64'));
    expect(c.password).to.have.length(28);
    expect(restPassword('s3cret', c.username)).to.equal(c.password);
  });

  it('a known vector', () => {
    // echo -n "1234:bob" | openssl dgst -sha1 -hmac "key" -binary | base64
    expect(restPassword('key', '1234:bob')).to.equal('h0dzw9AIzCaK8DAh2AcH4Ud5M24=');
  });

  it('an empty user gives the expiry alone', () => {
    expect(restCredentials('k', '', 10, 5).username).to.equal('15');
  });

  it('misuse throws ERR_INVALID_ARGUMENT', () => {
    for (const f of [
      () => restCredentials('', 'a', 1, 0),
      () => restCredentials('k', 'a', 0, 0),
      () => restCredentials('k', 'a', 1.5, 0),
      () => restCredentials('k', 'a', 1, Number.NaN),
      () => restCredentials('k', 'a:b', 1, 0),
    ]) {
      expect(f).to.throw(IceError).with.property('code', 'ERR_INVALID_ARGUMENT');
    }
  });
});
