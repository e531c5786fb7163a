import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (the CI installs it); playwright's own browser download cannot work here. */
export const CHROMIUM = '/usr/bin/chromium';

/** `extraArgs`: more command-line switches, e.g. the TLS test's --ignore-certificate-errors-spki-list. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install chromium (bash .ci/run installs it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // the machine has no outside network: background fetches would only fail, loudly
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

/**
 * Run in the page (a string: the tests are typed for Node, not the DOM): records in
 * `window.seenAt[alarmId]` when each alarm row first appears, by the page's Date.now().
 */
export const WATCH_ALARM_ROWS = `
  window.seenAt = {};
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-testid="alarm-row"]')) {
      const id = el.dataset.alarmId;
      if (id && !(id in window.seenAt)) window.seenAt[id] = Date.now();
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true });
`;

/** When the row of `alarmId` first appeared (see WATCH_ALARM_ROWS), or undefined. */
export const rowSeenAt = (alarmId: string) => `window.seenAt[${JSON.stringify(alarmId)}]`;
