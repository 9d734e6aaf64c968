/** How the report writes addresses, candidates and pairs (plain strings; escaping happens in markup.ts). */
import type { AddressRecord, CandidateRecord } from './record.js';

/** `1.2.3.4:5` or `[::1]:5`. */
export function hostPort(a: AddressRecord): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export function relatedText(c: CandidateRecord): string {
  return c.relatedAddress !== undefined ? hostPort({ address: c.relatedAddress, port: c.relatedPort ?? 0 }) : '';
}

/** `host udp 10.0.0.1:5000` */
export function candidateText(c: CandidateRecord): string {
  return `${c.type} ${c.transport} ${hostPort(c)}`;
}

/** RFC 8445 §5.1.2.1 parts of a candidate priority, as the Trickle ICE sample shows them: type preference | local preference | 256 - component. */
export function priorityParts(p: number): string {
  return `${Math.floor(p / 2 ** 24)} | ${Math.floor(p / 256) % 65536} | ${p % 256}`;
}

/** Shortens to `max` characters with an ellipsis (the full text goes in a hover title). */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

/** Width of `s` in px in the report's monospace font (DejaVu/Liberation Mono: 0.6 em per character). */
export function monoWidth(s: string, fontPx: number): number {
  return s.length * fontPx * 0.6;
}
