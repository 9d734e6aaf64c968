// Run by listener-errors.test.ts in a child process: a `candidate` listener throws while
// gathering on 127.0.0.1. Every line goes out with writeSync, so it is there even if the
// process dies of the exception right after.
import { writeSync } from 'node:fs';
import { IceAgent } from '../../../lib/index.js';

const say = (line: string): void => void writeSync(1, `${line}\n`);
const agent = new IceAgent({ addresses: ['127.0.0.1'] });
agent.on('candidate', () => {
  throw new Error('thrown by a candidate listener');
});
agent.on('candidate', (c) => say(`candidate ${c.type} ${c.address}`));
agent.on('endofcandidates', () => say('endofcandidates'));
if (process.argv[2] === 'with-error-listener') agent.on('error', (err) => say(`error event: ${(err as Error).message}`));
await agent.gather();
say('gather resolved');
await agent.close();
say('closed');
