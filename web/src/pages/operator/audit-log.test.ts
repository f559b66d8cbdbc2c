import { describe, expect, test } from 'vitest';
import { auditEventQuery, dateRangeError, parseAuditLogSearch } from './audit-log.tsx';

describe('the audit log filters', () => {
  test('the URL keeps only the known filters, as strings, and valid days', () => {
    expect(parseAuditLogSearch({ client_id: 'cli_1', action: 'client.', from: '2026-03-01', to: '2026-03-31', page: 3, other: 'x' })).toEqual({ client_id: 'cli_1', action: 'client.', from: '2026-03-01', to: '2026-03-31' });
    expect(parseAuditLogSearch({ client_id: '', action: '   ', from: 'yesterday', to: '2026-02-30' })).toEqual({});
    expect(parseAuditLogSearch({ action: 42, from: ['2026-03-01'] })).toEqual({});
  });

  test('days become the API range: since the From midnight, until the midnight after the To day (both local)', () => {
    const query = auditEventQuery({ from: '2026-03-01', to: '2026-03-01' });
    expect(query.since).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.until).toBe(new Date(2026, 2, 2).toISOString());
    expect(auditEventQuery({ to: '2026-12-31' })).toEqual({ until: new Date(2027, 0, 1).toISOString() });
  });

  test('the partner and a trimmed action go as they are; nothing chosen asks for everything', () => {
    expect(auditEventQuery({ client_id: 'cli_1', action: ' client. ' })).toEqual({ client_id: 'cli_1', action: 'client.' });
    expect(auditEventQuery({})).toEqual({});
  });

  test('a To day before the From day is refused before asking the API', () => {
    expect(dateRangeError({ from: '2026-03-02', to: '2026-03-01' })).toMatch(/on or after/);
    expect(dateRangeError({ from: '2026-03-01', to: '2026-03-01' })).toBeUndefined();
    expect(dateRangeError({ to: '2026-03-01' })).toBeUndefined();
  });
});
