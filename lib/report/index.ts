// ice-agent/report: record what IceAgents do and render it as one self-contained HTML file.
export { Recorder, recordAgent, type RecordableAgent, type RecorderOptions, type AddAgentOptions } from './recorder.js';
export { renderReport, CONTENT_SECURITY_POLICY } from './render.js';
export { readRecord } from './read-record.js';
export {
  RECORD_FORMAT, RECORD_VERSION, sanitizeOptions,
  type IceRecord, type RecordEntry, type KnownEntry, type UnknownEntry, type EntryType, type AgentMeta, type RunMeta,
  type Verdict, type CandidateRecord, type PairRecord, type AddressRecord, type DropSnapshot, type OptionsSummary,
} from './record.js';
