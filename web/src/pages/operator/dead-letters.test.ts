import { describe, expect, test } from 'vitest';
import { redriveSelection } from './dead-letters.tsx';

describe('redrive all', () => {
  test('selects what the filters select, or every dead delivery only when there is no filter', () => {
    expect(redriveSelection({ clientId: '', eventType: '  ' })).toEqual({ all: true });
    expect(redriveSelection({ clientId: 'cli_1', eventType: '' })).toEqual({ client_id: 'cli_1' });
    expect(redriveSelection({ clientId: '', eventType: ' proof.verified ' })).toEqual({ event_type: 'proof.verified' });
    expect(redriveSelection({ clientId: 'cli_1', eventType: 'webhook.test' })).toEqual({ client_id: 'cli_1', event_type: 'webhook.test' });
  });
});
