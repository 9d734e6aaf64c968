// ipFamily() answers as net.isIP does, without compiling net.isIPv6's regular expression.
import { isIP } from 'node:net';
import { expect } from 'chai';
import { ipFamily } from '../../lib/util/ip-family.js';

const CASES = [
  '::1', '::', '1::', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%a b', '::ffff:1.2.3.4', '1.2.3.4', '1.2.3.256', '01.2.3.4',
  'a:b:c:d:e:f:0:1', 'a:b:c:d:e:f:0:1:2', ':::', '[::1]', '::1/64', 'stun.example.net', '', ':', 'g::1', '2001:db8::1',
  '1:2:3:4:5:6:1.2.3.4', 'fe80::1%25eth0', '::1%1', '1.2.3.4%x', ' ::1', '::1 ', 'http://x', '::1]:80', '0:0:0:0:0:0:0:0',
  '1:2:3:4:5:6:7::', '::%x', 'fe80:::1', '12345::1', '::1:2:3:4:5:6:7', '1::2::3', '::1?', '::1#', '::1@x', 'x@::1', '::1\\',
];

describe('ipFamily', () => {
  for (const c of CASES) {
    it(`${JSON.stringify(c)}: ${isIP(c)}`, () => expect(ipFamily(c)).to.equal(isIP(c)));
  }
});
