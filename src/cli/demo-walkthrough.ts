import { fileURLToPath } from 'node:url';

const VERIDITY_BIN = fileURLToPath(new URL('../../bin/veridity', import.meta.url));

/** A POSIX shell single-quoted word. */
export function quote(value: string): string {
  return /^[A-Za-z0-9_\/.:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export type WalkthroughInput = { origin: string; apiKey: string; dir: string; requestBody: unknown; teeTaskFile: string | undefined };

export const WALKTHROUGH_START = '# --- walkthrough ---';
export const WALKTHROUGH_END = '# --- end of walkthrough ---';

const tee = (input: WalkthroughInput): string[] =>
  input.teeTaskFile
    ? [
        '# 7. A TEE attestation task: tee-task.json holds a real Intel TDX quote and its collateral (the',
        "#    repository's test vector; verifyAt checks it inside the collateral's validity window).",
        '#    For your own quote: put its hex in evidence.quote, drop verifyAt (and collateral, when the',
        '#    operator stored collateral for its FMSPC or set PCCS_URL).',
        `curl -sS -X POST "$VERIDITY_URL/api/v1/tasks" -H "X-Api-Key: $API_KEY" -H 'content-type: application/json' \\`,
        `  --data @"$DEMO_DIR/tee-task.json" > "$DEMO_DIR/task.json"`,
        `TASK_ID=$(sed -n 's/.*"id":"\\([^"]*\\)".*/\\1/p' "$DEMO_DIR/task.json")`,
        '',
        '# 8. A worker verifies it in the background: wait until it is completed (or failed, with the reason) ...',
        'i=0',
        `until curl -sS "$VERIDITY_URL/api/v1/tasks/$TASK_ID" -H "X-Api-Key: $API_KEY" > "$DEMO_DIR/task.json" && grep -Eq '"status":"(completed|failed)"' "$DEMO_DIR/task.json" || [ $i -ge 60 ]; do i=$((i+1)); sleep 1; done`,
        `grep -Eo '"(status|isValid|errorCode)":[^,]*' "$DEMO_DIR/task.json"`,
        '',
        '# ... and its outcome is in the ledger too: the same offline check on its receipt.',
        'receipt "$TASK_ID" "$DEMO_DIR/task-receipt.txt"',
        `${quote(VERIDITY_BIN)} verify-receipt "$DEMO_DIR/task-receipt.txt" --key "$(cat "$DEMO_DIR/ledger.key")"`,
      ]
    : [
        '# 7. A TEE attestation task (this checkout has no sample quote): submit your own DCAP quote, hex,',
        '#    with its Intel collateral JSON unless the operator stored collateral for its FMSPC:',
        `#   curl -sS -X POST "$VERIDITY_URL/api/v1/tasks" -H "X-Api-Key: $API_KEY" -H 'content-type: application/json' \\`,
        `#     -d '{"appId":"my-app","appName":"My app","appConfigType":"phala_cloud","evidence":{"quote":"<hex>","collateral":{...}}}'`,
        '#   then GET "$VERIDITY_URL/api/v1/tasks/<id>" until completed, and receipt <id> as above.',
      ];

/** The copy-paste shell walkthrough: request -> prove -> verify -> status -> receipt -> offline check, then a TEE task. */
export function walkthrough(input: WalkthroughInput): string[] {
  return [
    WALKTHROUGH_START,
    `export VERIDITY_URL=${quote(input.origin)} API_KEY=${quote(input.apiKey)} DEMO_DIR=${quote(input.dir)}`,
    '',
    '# 1. The partner creates a proof request: a fresh nonce bound to the claim and its domain',
    '#    (it replaces the request the demo made).',
    `curl -sS -X POST "$VERIDITY_URL/api/v1/requests" -H "X-Api-Key: $API_KEY" -H 'content-type: application/json' \\`,
    `  -d ${quote(JSON.stringify(input.requestBody))} > "$DEMO_DIR/request.json"`,
    '',
    '# 2. The holder proves the claim on their own device. Either in a browser: open',
    `#      ${input.origin}/prove`,
    '#    paste credential.json and request.json, press "Generate proof", then "Copy proof" into $DEMO_DIR/verify.json;',
    '#    or on the command line:',
    `${quote(VERIDITY_BIN)} prove --url "$VERIDITY_URL" --credential "$DEMO_DIR/credential.json" --request "$DEMO_DIR/request.json" > "$DEMO_DIR/verify.json"`,
    '',
    '# 3. The partner verifies the proof: {"status":"verified","proof_id":"prf_...",...}',
    '#    (the same proof again answers 409 NONCE_REPLAY: a nonce is accepted once).',
    `curl -sS -X POST "$VERIDITY_URL/api/v1/verify" -H "X-Api-Key: $API_KEY" -H 'content-type: application/json' \\`,
    `  --data @"$DEMO_DIR/verify.json" | tee "$DEMO_DIR/verified.json"; echo`,
    '',
    '# 4. ... and reads its status later:',
    `PROOF_ID=$(sed -n 's/.*"proof_id":"\\([^"]*\\)".*/\\1/p' "$DEMO_DIR/verified.json")`,
    `curl -sS "$VERIDITY_URL/api/v1/status/$PROOF_ID" -H "X-Api-Key: $API_KEY"; echo`,
    '',
    '# 5. The receipt: proof that the outcome is in the tamper-evident ledger. It answers 202 (with',
    '#    Retry-After) until the ledger has signed a checkpoint over it, within seconds; so ask until 200.',
    'receipt() {',
    '  i=0',
    `  while [ "$(curl -sS -o "$2" -w '%{http_code}' "$VERIDITY_URL/api/v1/receipts/$1" -H "X-Api-Key: $API_KEY")" = 202 ] && [ $i -lt 60 ]; do i=$((i+1)); sleep 1; done`,
    '}',
    'receipt "$PROOF_ID" "$DEMO_DIR/receipt.txt"',
    '',
    "# 6. Anyone can check a receipt offline, with the ledger's public key pinned once (no server, no database):",
    `curl -sS "$VERIDITY_URL/api/v1/ledger/key" > "$DEMO_DIR/ledger.key"`,
    `${quote(VERIDITY_BIN)} verify-receipt "$DEMO_DIR/receipt.txt" --key "$(cat "$DEMO_DIR/ledger.key")"`,
    '',
    ...tee(input),
    WALKTHROUGH_END,
  ];
}
