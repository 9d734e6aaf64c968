/** A record with markup in every string a network or a caller controls. */
import { RECORD_FORMAT, type CandidateRecord, type IceRecord } from '../../../lib/report/record.js';

export const HOSTILE = {
  address: '<script>alert(1)</script>.local',
  foundation: '"><img src=x onerror=alert(1)>',
  label: '</style><svg onload=alert(1)>',
  reason: 'it\'s <b>"bad"</b> & ]]> \u0000\u0007 done',
} as const;

export function hostileRecord(): IceRecord {
  const local: CandidateRecord = { foundation: HOSTILE.foundation, component: 1, transport: 'udp', priority: 2130706431, address: HOSTILE.address, port: 9, type: 'host', base: { address: '10.0.0.1', port: 9 } };
  const remote: CandidateRecord = { ...local, address: 'javascript:alert(1)', type: '<i>prflx</i>', relatedAddress: '<x>', relatedPort: 1 };
  const pair = { id: 1, component: 1, local, remote, state: '<u>succeeded</u>', nominated: true, priority: '9115038255631187967' };
  const agent = HOSTILE.label;
  return {
    format: RECORD_FORMAT,
    version: 1,
    startedAt: '<time>',
    durationMs: 50,
    run: { title: HOSTILE.label, options: { '<k>': '<v>', list: ['<a>'] }, verdict: { ok: false, reason: HOSTILE.reason } },
    agents: [{ label: agent, role: '<role>', ufrag: '<uf>', components: 1 }],
    entries: [
      { t: 1, agent, type: 'candidate', candidate: local },
      { t: 2, agent, type: 'stun-result', server: { address: '<srv>', port: 1 }, base: { address: '10.0.0.1', port: 9 }, error: HOSTILE.reason },
      { t: 3, agent, type: 'state', state: '<checking>', previous: 'starting', reason: HOSTILE.reason },
      { t: 4, agent, type: 'pair', pair },
      { t: 5, agent, type: 'check-sent', pairId: 1, component: 1, kind: '<k>', transactionId: '"><x>', attempt: 1, useCandidate: true },
      { t: 6, agent, type: 'check-result', pairId: 1, component: 1, kind: '<k>', transactionId: '"><x>', outcome: '<o>', code: 487 },
      { t: 7, agent, type: 'selected-pair', component: 1, pair },
      { t: 8, agent, type: 'warning', code: '<c>', message: HOSTILE.reason },
      { t: 9, agent, type: 'drops', counters: { '<b>': 3 } },
      { t: 10, agent, type: 'role', role: '<r>', reason: HOSTILE.reason },
      { t: 11, type: 'note', text: HOSTILE.foundation },
      { t: 12, agent, type: '<evil type>', x: 1 },
    ],
  };
}
