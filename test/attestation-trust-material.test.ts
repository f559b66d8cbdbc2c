/**
 * The operator's attestation trust material over HTTP: stored collateral listed with Intel's TCB
 * info dates, and OS image references registered, listed and removed (audited). Real collateral
 * and a real dstack capture from src/modules/attestations/verification/fixtures (PROVENANCE.md).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readVector, readVectorJson, tdReportFieldsAtOffsets } from '#modules/attestations/verification/test-vectors.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

const tdxCollateral = readVectorJson('tdx_quote_collateral.json'); // FMSPC B0C06F000000
const capture = readVectorJson<{ quote: string; vm_config: string }>('dstack-quote-report.json');
const captureImage = (JSON.parse(capture.vm_config) as { os_image_hash: string }).os_image_hash;
const captureTd = tdReportFieldsAtOffsets(Buffer.from(capture.quote, 'hex'));
const tcbInfo = JSON.parse(String(tdxCollateral.tcb_info)) as { issueDate: string; nextUpdate: string };

let t: TestApp;

before(async () => {
  t = await createTestApp();
});

after(async () => {
  await t?.close();
});

test('stored collateral is listed with the issue date and next update of its TCB info', async () => {
  assert.equal(readVector('tdx_quote_collateral.json').length, 16072, 'the fixture is the one PROVENANCE.md names');
  const stored = await t.admin('PUT', '/api/admin/attestations/collateral/b0c06f000000', tdxCollateral);
  assert.equal(stored.statusCode, 200, stored.body);
  const listed = await t.admin('GET', '/api/admin/attestations/collateral');
  assert.equal(listed.statusCode, 200);
  const [row] = listed.json() as Array<Record<string, string>>;
  assert.equal(row!.fmspc, 'b0c06f000000');
  assert.equal(row!.tcb_info_issue_date, new Date(tcbInfo.issueDate).toISOString());
  assert.equal(row!.tcb_info_next_update, new Date(tcbInfo.nextUpdate).toISOString());
  assert.equal(stored.json().tcb_info_next_update, row!.tcb_info_next_update);
});

test('an OS image reference is registered, listed, then removed: audited, gone from the list, a second removal is 404', async () => {
  const upperHash = `0x${captureImage.toUpperCase()}`;
  const { mr_td, rt_mr0, rt_mr1, rt_mr2 } = captureTd;
  const registered = await t.admin('PUT', `/api/admin/attestations/os-images/${upperHash}`, { label: 'dstack capture image', mr_td, rt_mr0, rt_mr1, rt_mr2 });
  assert.equal(registered.statusCode, 200, registered.body);
  assert.equal(registered.json().os_image_hash, captureImage.toLowerCase());
  assert.deepEqual((await t.admin('GET', '/api/admin/attestations/os-images')).json().map((image: { os_image_hash: string }) => image.os_image_hash), [captureImage.toLowerCase()]);

  const malformed = await t.admin('DELETE', '/api/admin/attestations/os-images/not-hex');
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().error_code, 'VALIDATION_FAILED');

  // Named in another spelling (0x, upper case): the same image.
  const removed = await t.admin('DELETE', `/api/admin/attestations/os-images/${upperHash}`);
  assert.equal(removed.statusCode, 200, removed.body);
  assert.equal(removed.json().os_image_hash, captureImage.toLowerCase());
  assert.equal(removed.json().label, 'dstack capture image');
  assert.deepEqual((await t.admin('GET', '/api/admin/attestations/os-images')).json(), []);

  const again = await t.admin('DELETE', `/api/admin/attestations/os-images/${captureImage}`);
  assert.equal(again.statusCode, 404);
  assert.equal(again.json().error_code, 'NOT_FOUND');
  assert.ok(again.json().request_id);

  const { rows } = await t.database.pool.query<{ action: string; target_id: string }>(
    "SELECT action, target_id FROM audit_logs WHERE target_type = 'attestation_os_image' ORDER BY at, action",
  );
  assert.deepEqual(rows, [
    { action: 'attestation_os_image.registered', target_id: captureImage.toLowerCase() },
    { action: 'attestation_os_image.removed', target_id: captureImage.toLowerCase() },
  ]);
});
