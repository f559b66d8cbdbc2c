/**
 * The controlled vocabulary of agent capabilities (`<domain>.<skill>`): what registration and the
 * query accept. Free-form labels go in `tags`. Extend the list here (a code change, reviewed),
 * never by input: a registry whose capabilities are free text cannot be filtered reliably.
 */
export const CAPABILITIES = [
  'nlp.summarization',
  'nlp.translation',
  'nlp.classification',
  'nlp.extraction',
  'nlp.question-answering',
  'code.generation',
  'code.review',
  'audit.smart-contract',
  'audit.security',
  'data.labeling',
  'data.cleaning',
  'data.analysis',
  'data.scraping',
  'vision.classification',
  'vision.ocr',
  'speech.transcription',
  'speech.synthesis',
  'finance.trading',
  'finance.risk-analysis',
  'oracle.price-feed',
  'research.web',
  'orchestration.swarm',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

const KNOWN: ReadonlySet<string> = new Set(CAPABILITIES);

export const isCapability = (value: string): value is Capability => KNOWN.has(value);

/** The ones of `values` outside the vocabulary (empty: all known). */
export const unknownCapabilities = (values: readonly string[]): string[] => values.filter((value) => !KNOWN.has(value));

export type CapabilityFailure = { ok: false; code: 'UNKNOWN_CAPABILITY'; message: string; unknown: string[] };

/** The refusal of capabilities outside the vocabulary, or undefined when all are known. */
export function refuseUnknownCapabilities(values: readonly string[]): CapabilityFailure | undefined {
  const unknown = unknownCapabilities(values);
  if (unknown.length === 0) return undefined;
  return { ok: false, code: 'UNKNOWN_CAPABILITY', message: `unknown capabilit${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')}: use the vocabulary in \`capabilities\`, and \`tags\` for free labels`, unknown };
}
