/**
 * What the console's browser tests (test/console-*.test.ts) share: a real server with the built
 * console on a real database, Debian's chromium driven by playwright-core, and the checks every
 * page visited passes — no console error or CSP violation, an axe check with no serious or
 * critical violation (the colour rules in the dark theme too), no sideways scrolling at phone width, and screenshots at
 * desktop and phone width in test-results/console/ (not committed) for a reviewer to look at.
 * Each test file starts its own server and browser, so the files run in parallel.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import type { PrivateKeyAccount } from 'viem/accounts';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.ts';
import { CHROMIUM, ensureChromium } from './chromium.ts';
import { ROOT } from './processes.ts';
import { createTestApp, type TestApp } from './test-app.ts';

const SHOTS = path.join(ROOT, 'test-results/console');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

export type ConsolePage = { context: BrowserContext; page: Page; problems: string[] };

export type ConsoleBrowser = {
  t: TestApp;
  baseUrl: string;
  /** A fresh browser context (no cookies) at desktop width, its page and the problems it reports. */
  newPage(): Promise<ConsolePage>;
  close(): Promise<void>;
};

/** `port`: where the server listens (default: any free port), for a test that must name its address before it starts (an OpenID provider's redirect). */
export async function startConsoleBrowser(options: Parameters<typeof createTestApp>[0] & { port?: number } = {}): Promise<ConsoleBrowser> {
  ensureChromium();
  await buildConsole({ quiet: true });
  await mkdir(SHOTS, { recursive: true });
  const t = await createTestApp(options);
  let browser: Browser | undefined;
  try {
    await t.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const opened = browser;
    return {
      t,
      baseUrl,
      async newPage() {
        // Reduced motion: no colour transitions half-way in a screenshot.
        const context = await opened.newContext({ viewport: VIEWPORTS.desktop, baseURL: baseUrl, reducedMotion: 'reduce' });
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
        const page = await context.newPage();
        return { context, page, problems: watch(page) };
      },
      async close() {
        await opened.close();
        await t.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await t.close();
    throw error;
  }
}

/** Console errors, uncaught exceptions and CSP violations on a page (an expected 401 of the session probe aside). */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/status of 401/.test(message.text()) && message.location().url.includes('/api/console/session')) return;
    problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const EVERY_RULE: RunOptions['runOnly'] = { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] };
/** The rules a theme changes (colours): all a second theme needs. */
const COLOUR_RULES: RunOptions['runOnly'] = { type: 'rule', values: ['color-contrast', 'link-in-text-block'] };

/**
 * axe-core's serious and critical violations on the page as it is. axe is put into the document
 * once and run there directly, asked for violations only: @axe-core/playwright injected it again
 * and opened a page of its own for every check, ~1 s each, most of a browser test's time.
 */
async function seriousViolations(page: Page, runOnly: RunOptions['runOnly']): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(
    (options) => (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe.run(document, options).then((results) => results.violations),
    { runOnly, resultTypes: ['violations'] } satisfies RunOptions,
  );
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/**
 * axe in the light theme (and its colour rules in the dark one), and screenshots at desktop and
 * phone width (and desktop dark): JPEG, which encodes several times faster than PNG.
 */
export async function audit(page: Page, name: string): Promise<void> {
  const setDark = (dark: boolean) => page.evaluate((on) => document.documentElement.classList.toggle('dark', on), dark);
  assert.deepEqual(await seriousViolations(page, EVERY_RULE), [], `${name} (light theme): no serious or critical accessibility violation`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.jpeg`), fullPage: true, quality: 80 });
  await page.setViewportSize(VIEWPORTS.phone);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.jpeg`), fullPage: true, quality: 80 });
  // Nothing wider than the screen, but inside something that scrolls sideways (tables, the phone's nav).
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (element: Element) => getComputedStyle(element).overflowX !== 'visible';
    const clipped = (element: Element) => { for (let up = element.parentElement; up; up = up.parentElement) if (scrolls(up)) return true; return false; };
    const wide = [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > width + 1 && (!clipped(element) || getComputedStyle(element).position === 'absolute'));
    return { by: document.documentElement.scrollWidth - width, wide: wide.slice(0, 3).map((element) => `<${element.tagName.toLowerCase()} class="${element.getAttribute('class')}">`) };
  });
  assert.ok(overflow.by <= 0, `${name}: the page scrolls sideways at phone width by ${overflow.by}px: ${overflow.wide.join(', ')}`);
  await page.setViewportSize(VIEWPORTS.desktop);
  await setDark(true);
  assert.deepEqual(await seriousViolations(page, COLOUR_RULES), [], `${name} (dark theme): no serious or critical contrast violation`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop-dark.jpeg`), fullPage: true, quality: 80 });
  await setDark(false);
}

/** Signs the operator in with the admin token; the partners page is where it lands. */
export async function signInAsOperator(page: Page, adminToken: string): Promise<void> {
  await page.goto('/console/sign-in');
  await page.getByLabel('Admin token').fill(adminToken);
  await page.getByRole('button', { name: 'Sign in as operator' }).click();
  await page.getByRole('heading', { name: 'Partners' }).waitFor();
}

/** Signs a partner in with its API key; its overview, headed with its name, is where it lands. */
export async function signInAsPartner(page: Page, apiKey: string, name: string): Promise<void> {
  await page.goto('/console/sign-in');
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in as partner' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

/**
 * In the operator's "New partner" dialog (open): names the partner, ticks the scopes (their
 * labels), creates it and copies its key; answers the key, the "Partner created" dialog left open.
 */
export async function createPartnerInConsole(page: Page, name: string, scopeLabels: RegExp[]): Promise<string> {
  const dialog = page.getByRole('dialog', { name: 'New partner' });
  await dialog.getByLabel('Name').fill(name);
  for (const scope of scopeLabels) await dialog.getByLabel(scope).check();
  await dialog.getByRole('button', { name: 'Create partner' }).click();
  const created = page.getByRole('dialog', { name: 'Partner created' });
  await created.waitFor();
  const apiKey = (await created.locator('[data-secret]').textContent())!.trim();
  assert.match(apiKey, /^vk_/);
  await created.getByRole('button', { name: 'Copy' }).click();
  await created.getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), apiKey);
  return apiKey;
}

/** On the partner's webhooks page: rotates the secret (confirmed), audits the dialog showing the new one as `auditName`, closes it; answers the new secret. */
export async function rotateWebhookSecretInConsole(page: Page, auditName: string): Promise<string> {
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByRole('dialog', { name: 'Rotate the webhook secret?' }).getByRole('button', { name: 'Rotate secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'New webhook secret' });
  await dialog.waitFor();
  const secret = (await dialog.locator('[data-secret]').textContent())!.trim();
  assert.match(secret, /^whsec_/);
  await audit(page, auditName);
  await dialog.getByRole('button', { name: 'Done' }).click();
  return secret;
}

/**
 * Wallets for the page without an extension: the keys stay in the test, the page reaches them
 * through window as it would a wallet's — an EIP-1193 provider (`window.ethereum`, personal_sign)
 * and the console's Sui signer hook (`window.veriditySuiSigner`).
 */
export async function injectWalletSigners(page: Page, signers: { ethereum?: PrivateKeyAccount; sui?: Ed25519Keypair }): Promise<void> {
  const { ethereum, sui } = signers;
  if (ethereum) await page.exposeFunction('testEthereumSign', (hexMessage: string) => ethereum.signMessage({ message: { raw: hexMessage as `0x${string}` } }));
  if (sui) await page.exposeFunction('testSuiSign', async (base64: string) => (await sui.signPersonalMessage(Buffer.from(base64, 'base64'))).signature);
  await page.addInitScript(
    ({ ethereumAddress, suiAddress }) => {
      const call = (name: string, ...args: unknown[]) => (window as unknown as Record<string, (...a: unknown[]) => Promise<string>>)[name]!(...args);
      if (ethereumAddress) {
        Object.assign(window, {
          ethereum: {
            request: async ({ method, params }: { method: string; params?: unknown[] }) => {
              if (method === 'eth_requestAccounts') return [ethereumAddress];
              if (method === 'personal_sign' && params?.[1] === ethereumAddress) return call('testEthereumSign', params[0]);
              throw new Error(`unsupported: ${method}`);
            },
          },
        });
      }
      if (suiAddress) {
        Object.assign(window, {
          veriditySuiSigner: {
            getAddress: async () => suiAddress,
            signPersonalMessage: async (bytes: Uint8Array) => ({ signature: await call('testSuiSign', btoa(String.fromCharCode(...bytes))) }),
          },
        });
      }
    },
    { ethereumAddress: ethereum?.address, suiAddress: sui?.toSuiAddress() },
  );
}
