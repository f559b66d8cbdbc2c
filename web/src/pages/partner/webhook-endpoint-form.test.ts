import { expect, test } from 'vitest';
import { EndpointUrlSchema } from './webhook-endpoint-form.tsx';

test('a webhook URL is checked as the API checks it', () => {
  const valid = (url: string) => EndpointUrlSchema.safeParse({ url }).success;
  expect(valid('https://hooks.example.com/veridity')).toBe(true);
  expect(valid('  http://hooks.example.com/in  ')).toBe(true);
  for (const url of ['', 'ftp://hooks.example.com/', 'https://user:pw@hooks.example.com/', 'hooks.example.com', `https://x.example/${'a'.repeat(2048)}`]) expect(valid(url)).toBe(false);
});
