import { expect } from 'chai';
import { IceError } from '../../lib/util/errors.js';

/** The IceError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<IceError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(IceError);
    return err as IceError;
  }
  throw new Error('expected a rejection');
}
