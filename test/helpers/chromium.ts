import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "../../harness/engine";

/** Debian's Chromium, which `.ci/run` installs when missing; `KOODRIVE_CHROMIUM` names another. */
export const CHROMIUM = process.env.KOODRIVE_CHROMIUM ?? "/usr/bin/chromium";

/** The folder the tests keep screenshots in for CI to upload (test/README.md, "Artifacts"), made when missing. */
export function artifactsFolder(name: string): string {
  const folder = join(process.env.KOODRIVE_TEST_ARTIFACTS ?? join(REPO_ROOT, "test-artifacts"), name);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** A headless Chromium; fails, saying what to install, when there is none (never a skip). */
export async function launchChromium(): Promise<Browser> {
  assert.ok(
    existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does, or set KOODRIVE_CHROMIUM`,
  );
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** A new tab at 1280 × 900, one CSS pixel a device pixel, and the console errors and page errors it sees. */
export async function watchedTab(browser: Browser): Promise<{ tab: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const tab = await context.newPage();
  const errors: string[] = [];
  tab.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  tab.on("pageerror", (error) => errors.push(error.message));
  return { tab, errors };
}
