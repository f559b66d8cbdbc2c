/**
 * The holder page's script. It runs in the browser (served as JavaScript by routes.ts, with
 * snarkjs.min.js loaded before it) and proves with sdk/prover.ts. What is pasted here never
 * leaves the browser: the prover only downloads circuit artifacts, and the only thing sent
 * anywhere is the proof, when the person presses "Submit to /verify".
 */
import { createProver, type ProofRequest, type Prover, type ProverErrorCode, type Snarkjs, type VerifyBody } from '../../../sdk/prover.ts';
import type { Credential } from '../zk/credentials/credential-format.ts';
import { parsePublicSignals } from '../zk/credentials/public-signals.ts';

type Tone = 'busy' | 'ok' | 'warn' | 'error';

function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no #${id}`);
  return found;
}

const form = byId('prove-form', HTMLFormElement);
const credentialInput = byId('credential', HTMLTextAreaElement);
const requestInput = byId('request', HTMLTextAreaElement);
const generateButton = byId('generate', HTMLButtonElement);
const proveStatus = byId('prove-status', HTMLParagraphElement);
const resultSection = byId('result', HTMLElement);
const resultTitle = byId('result-title', HTMLHeadingElement);
const resultSummary = byId('result-summary', HTMLParagraphElement);
const verifyBodyOutput = byId('verify-body', HTMLTextAreaElement);
const copyButton = byId('copy', HTMLButtonElement);
const copyStatus = byId('copy-status', HTMLParagraphElement);
const apiKeyInput = byId('api-key', HTMLInputElement);
const submitForm = byId('submit-form', HTMLFormElement);
const submitButton = byId('submit', HTMLButtonElement);
const verifyStatus = byId('verify-status', HTMLParagraphElement);
const verifyResponse = byId('verify-response', HTMLPreElement);

const EXPLANATIONS: Record<ProverErrorCode, string> = {
  PLATFORM_UNAVAILABLE: 'The platform could not provide the circuit.',
  CIRCUIT_NOT_AVAILABLE: 'The platform offers no circuit for this claim.',
  ARTIFACT_HASH_MISMATCH: 'A downloaded circuit file does not match its published fingerprint, so it was not used.',
  CREDENTIAL_MALFORMED: 'This is not a valid Veridity credential.',
  REQUEST_MALFORMED: 'This is not a valid proof request.',
  UNKNOWN_CLAIM_TYPE: 'The proof request asks for an unknown claim.',
  PARAM_NOT_ACCEPTED: 'The proof request asks for a parameter this claim cannot prove.',
  CURRENT_DATE_INVALID: "This device's date is not usable.",
  WITNESS_FAILED: 'No proof can be made from this credential: its signature does not match its issuer (was it altered?).',
  WEBCRYPTO_UNAVAILABLE: 'This browser blocks the cryptography the page needs here: open the page over https (or on localhost).',
};

const apiBase = new URL('/', window.location.href);
let prover: Prover | undefined;
let lastBody: VerifyBody | undefined;

function show(target: HTMLElement, text: string, tone: Tone): void {
  target.textContent = text;
  target.className = `message ${tone}`;
}

function clear(target: HTMLElement): void {
  target.textContent = '';
  target.className = 'message';
}

function readJson(input: HTMLTextAreaElement, what: string): { ok: true; value: unknown } | { ok: false } {
  input.removeAttribute('aria-invalid');
  const text = input.value.trim();
  let failure = `Paste the ${what} first.`;
  if (text !== '') {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      failure = `The ${what} is not valid JSON: ${(error as Error).message}`;
    }
  }
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  show(proveStatus, failure, 'error');
  return { ok: false };
}

async function generate(): Promise<void> {
  const credential = readJson(credentialInput, 'credential');
  if (!credential.ok) return;
  const request = readJson(requestInput, 'proof request');
  if (!request.ok) return;
  const snarkjs = (globalThis as { snarkjs?: Snarkjs }).snarkjs;
  if (!snarkjs) {
    show(proveStatus, 'The proving library did not load; reload the page.', 'error');
    return;
  }
  prover ??= createProver({ baseUrl: apiBase, snarkjs });

  generateButton.disabled = true;
  form.setAttribute('aria-busy', 'true');
  show(proveStatus, 'Downloading the circuit and computing the proof on this device. This takes a few seconds…', 'busy');
  const started = performance.now();
  try {
    const result = await prover.prove({ credential: credential.value as Credential, request: request.value as ProofRequest });
    if (!result.ok) {
      show(proveStatus, `${EXPLANATIONS[result.code]} (${result.code}: ${result.message})`, 'error');
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    show(proveStatus, `Proof generated in ${seconds} s.`, 'ok');
    presentProof(result.value);
  } catch (error) {
    show(proveStatus, `Proving failed unexpectedly: ${(error as Error).message}`, 'error');
  } finally {
    generateButton.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

function presentProof(body: VerifyBody): void {
  lastBody = body;
  verifyBodyOutput.value = JSON.stringify(body, null, 2);
  clear(copyStatus);
  clear(verifyStatus);
  verifyResponse.hidden = true;
  const signals = parsePublicSignals(body.claim_type, body.public_signals);
  const claim = `Claim ${body.claim_type} (circuit ${body.circuit_version}) for ${body.request.verifier_domain}.`;
  if (signals.ok && signals.value.notExpired !== 1n) {
    show(resultSummary, `${claim} Your credential has expired: the verifier will refuse this proof (CREDENTIAL_EXPIRED).`, 'warn');
  } else if (signals.ok && signals.value.result !== 1n) {
    show(resultSummary, `${claim} The claim does not hold for this credential: the verifier will answer NOT_ELIGIBLE.`, 'warn');
  } else {
    show(resultSummary, `${claim} Hand the body below to the verifier; it reveals nothing else about you.`, 'ok');
  }
  resultSection.hidden = false;
  resultTitle.tabIndex = -1;
  resultTitle.focus();
}

async function copyProof(): Promise<void> {
  try {
    await navigator.clipboard.writeText(verifyBodyOutput.value);
    show(copyStatus, 'Copied to the clipboard.', 'ok');
  } catch {
    verifyBodyOutput.focus();
    verifyBodyOutput.select();
    show(copyStatus, 'The browser refused clipboard access: the text is selected, press Ctrl+C (⌘C).', 'warn');
  }
}

async function submitProof(): Promise<void> {
  if (!lastBody) return;
  const apiKey = apiKeyInput.value.trim();
  if (apiKey === '') {
    apiKeyInput.focus();
    show(verifyStatus, 'Enter a partner API key first.', 'error');
    return;
  }
  submitButton.disabled = true;
  show(verifyStatus, 'Submitting…', 'busy');
  try {
    const response = await fetch(new URL('api/v1/verify', apiBase), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(lastBody),
    });
    const answer = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.ok && answer?.status === 'verified') {
      show(verifyStatus, `verified: proof ${String(answer.proof_id)}`, 'ok');
    } else {
      show(verifyStatus, `Not verified (${response.status}${answer?.error_code ? ` ${String(answer.error_code)}` : ''}): ${String(answer?.error ?? response.statusText)}`, 'error');
    }
    verifyResponse.textContent = JSON.stringify(answer, null, 2);
    verifyResponse.hidden = false;
  } catch (error) {
    show(verifyStatus, `The platform could not be reached: ${(error as Error).message}`, 'error');
  } finally {
    submitButton.disabled = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void generate();
});
copyButton.addEventListener('click', () => void copyProof());
submitForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void submitProof();
});
