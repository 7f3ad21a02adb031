import { serializeEnvelope } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';

/** A valid envelope for reader tests. */
export const envelope = makeEnvelope;

/** `\n`-terminated canonical lines of envelopes with these sequence numbers. */
export function lines(...seqs: number[]): string {
  return seqs.map((seq) => `${serializeEnvelope(envelope(seq))}\n`).join('');
}
