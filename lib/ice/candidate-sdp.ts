// RFC 8839 §5.1 candidate-attribute grammar, parse and format (+ RFC 6544 tcptype).
import { IceError } from '../util/errors.js';
import type { Candidate, CandidateType } from './candidate-types.js';
import { addressFamily, normalizeAddress } from './candidate.js';

/** Lines from a peer are hostile input: bound the work. Real lines are ~200 chars. */
export const MAX_CANDIDATE_LENGTH = 1024;

const ICE_CHARS = /^[A-Za-z0-9+/]{1,32}$/; // foundation = 1*32ice-char
const DIGITS = /^[0-9]+$/;
// RFC 8866 token-char (extension-att-name = token).
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const VCHARS = /^[\x21-\x7e]+$/; // extension-att-value = *VCHAR (non-empty once split)
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const CAND_TYPES: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay'];
const TCP_TYPES = ['active', 'passive', 'so'];

function fail(message: string): never {
  throw new IceError('ERR_INVALID_CANDIDATE', message);
}

function parseInteger(field: string, text: string, min: number, max: number, maxDigits: number): number {
  if (!DIGITS.test(text)) fail(`candidate ${field} '${text}' is not a number`);
  if (text.length > maxDigits) fail(`candidate ${field} '${text}' has more than ${maxDigits} digits`);
  const n = Number(text);
  if (n < min || n > max) fail(`candidate ${field} ${n} is out of range ${min}..${max}`);
  return n;
}

/** RFC 8839 connection-address: IPv4, IPv6 or FQDN (mDNS `<uuid>.local` kept unresolved). */
function parseAddress(field: string, text: string): string {
  const family = addressFamily(text);
  if (family === 6) return normalizeAddress(text);
  if (family === 4) return text;
  if (text.includes(':')) fail(`candidate ${field} '${text}' is not a valid IPv6 address`);
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  const labels = name.split('.');
  const last = labels[labels.length - 1] ?? '';
  if (name.length === 0 || name.length > 253 || !labels.every((l) => HOST_LABEL.test(l)) || DIGITS.test(last)) {
    fail(`candidate ${field} '${text}' is not an IP address or host name`);
  }
  return text;
}

/** Accepts `a=candidate:...`, `candidate:...` or the bare body; throws IceError('ERR_INVALID_CANDIDATE'). */
export function parseCandidate(text: string): Candidate {
  if (typeof text !== 'string') fail('candidate is not a string');
  if (text.length > MAX_CANDIDATE_LENGTH) {
    fail(`candidate line is ${text.length} characters, more than ${MAX_CANDIDATE_LENGTH}`);
  }
  let body = text.trim();
  if (/^a=/i.test(body)) body = body.slice(2);
  if (/^candidate:/i.test(body)) body = body.slice('candidate:'.length);
  const tokens = body.split(/[ \t]+/).filter((t) => t.length > 0);
  if (tokens.length < 8) fail(`candidate has ${tokens.length} fields, at least 8 are needed`);
  const [foundation, componentText, transportText, priorityText, addressText, portText, typKeyword, typeText] =
    tokens as [string, string, string, string, string, string, string, string];

  if (!ICE_CHARS.test(foundation)) fail(`candidate foundation '${foundation}' is not 1 to 32 ice-chars`);
  const component = parseInteger('component', componentText, 1, 256, 3);
  const transport = transportText.toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') fail(`candidate transport '${transportText}' is not UDP or TCP`);
  const priority = parseInteger('priority', priorityText, 1, 4294967295, 10);
  const address = parseAddress('address', addressText);
  const port = parseInteger('port', portText, 0, 65535, 5);
  if (typKeyword.toLowerCase() !== 'typ') fail(`candidate has '${typKeyword}' where 'typ' is expected`);
  const type = typeText.toLowerCase() as CandidateType;
  if (!CAND_TYPES.includes(type)) fail(`candidate type '${typeText}' is not host, srflx, prflx or relay`);

  const { relatedAddress, relatedPort, tcpType, extensions } = parseExtensions(tokens.slice(8), transport);
  return {
    foundation,
    component,
    transport,
    priority,
    address,
    port,
    type,
    ...(relatedAddress !== undefined ? { relatedAddress } : {}),
    ...(relatedPort !== undefined ? { relatedPort } : {}),
    ...(tcpType !== undefined ? { tcpType } : {}),
    extensions,
  };
}

interface CandidateExtensions {
  relatedAddress?: string;
  relatedPort?: number;
  tcpType?: string;
  extensions: (readonly [string, string])[];
}

/** The name/value pairs after `typ <type>`: raddr, rport, tcptype (RFC 6544 §4.5) and extensions kept in order. */
function parseExtensions(tokens: readonly string[], transport: string): CandidateExtensions {
  const out: CandidateExtensions = { extensions: [] };
  for (let i = 0; i < tokens.length; i += 2) {
    const name = tokens[i] as string;
    const value = tokens[i + 1];
    if (value === undefined) fail(`candidate extension '${name}' has no value`);
    switch (name.toLowerCase()) {
      case 'raddr':
        if (out.relatedAddress !== undefined) fail('candidate has raddr twice');
        out.relatedAddress = parseAddress('raddr', value);
        break;
      case 'rport':
        if (out.relatedPort !== undefined) fail('candidate has rport twice');
        out.relatedPort = parseInteger('rport', value, 0, 65535, 5);
        break;
      case 'tcptype':
        if (out.tcpType !== undefined) fail('candidate has tcptype twice');
        if (transport !== 'tcp') fail('candidate has tcptype but its transport is UDP');
        out.tcpType = value.toLowerCase();
        if (!TCP_TYPES.includes(out.tcpType)) fail(`candidate tcptype '${value}' is not active, passive or so`);
        break;
      default:
        if (!TOKEN.test(name)) fail(`candidate extension name '${name}' is not a token`);
        if (!VCHARS.test(value)) fail(`candidate extension '${name}' value is not printable ASCII`);
        out.extensions.push([name, value]);
    }
  }
  if (transport === 'tcp' && out.tcpType === undefined) fail('TCP candidate has no tcptype (RFC 6544 §4.5)');
  return out;
}

/** `candidate:<foundation> <component> udp|tcp <priority> <address> <port> typ <type> [raddr a] [rport p] [tcptype t] [ext...]`. */
export function formatCandidate(c: Candidate): string {
  const parts = [
    `candidate:${c.foundation}`,
    String(c.component),
    c.transport.toLowerCase(),
    String(c.priority),
    c.address,
    String(c.port),
    'typ',
    c.type,
  ];
  if (c.relatedAddress !== undefined) parts.push('raddr', c.relatedAddress);
  if (c.relatedPort !== undefined) parts.push('rport', String(c.relatedPort));
  if (c.tcpType !== undefined) parts.push('tcptype', c.tcpType);
  for (const [name, value] of c.extensions) parts.push(name, value);
  const line = parts.join(' ');
  // Never emit what we would refuse to read: a peer would drop it just the same.
  parseCandidate(line);
  return line;
}
