/**
 * Debian's Chromium for browser tests, driven by playwright-core (no browser download): the
 * flags every browser suite uses (headless, no sandbox in containers, no background traffic).
 * Suites guard themselves with describeWith('chromium', …) (require-tool.ts).
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
