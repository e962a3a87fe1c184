// Drives a code-server workbench in headless Chromium through playwright-core, the way a person uses it: palette, clicks, keys.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { repoRoot, type Toolchain } from './toolchain';
import type { CodeServer } from './code-server';

export const resultsDir = path.join(repoRoot, 'test-results');

/** Flags checked to work with Debian's chromium on a headless, offline machine. */
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export class Workbench {
  private shotCount = 0;

  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    /** Screenshots go to test-results/<name>/NN-step.png. */
    readonly name: string,
  ) {}

  /** Opens `folder` in a fresh browser window on `server` and waits until the workbench has rendered. */
  static async open(toolchain: Toolchain, server: CodeServer, options: { name: string; folder: string }): Promise<Workbench> {
    const browser = await chromium.launch({ executablePath: toolchain.chromium, args: chromiumArgs, headless: true });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(server.url(options.folder));
      await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
      // The status bar fills in once the remote extension host has connected.
      await page.waitForSelector('.statusbar', { timeout: 60_000 });
      fs.rmSync(path.join(resultsDir, options.name), { recursive: true, force: true });
      fs.mkdirSync(path.join(resultsDir, options.name), { recursive: true });
      return new Workbench(page, browser, options.name);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  /** Saves a numbered screenshot of the whole window and returns its path. */
  async screenshot(step: string): Promise<string> {
    const file = path.join(resultsDir, this.name, `${String(++this.shotCount).padStart(2, '0')}-${step}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Takes a screenshot for a failure message: " (screenshot: test-results/…png)", or '' when the page cannot be photographed. */
  private async screenshotNote(step: string): Promise<string> {
    const shot = await this.screenshot(step.replace(/[^\w]+/g, '-')).catch(() => undefined);
    return shot ? ` (screenshot: ${path.relative(repoRoot, shot)})` : '';
  }

  /** Saves a screenshot of one part of the window, e.g. '.part.sidebar', as test-results/<name>/<file>.png. */
  async screenshotOf(selector: string, file: string, maxHeight = Infinity): Promise<string> {
    const out = path.join(resultsDir, this.name, `${file}.png`);
    const box = await this.page.locator(selector).first().boundingBox();
    if (!box) throw new Error(`${selector} is not visible, so it cannot be photographed.`);
    await this.page.screenshot({ path: out, clip: { ...box, height: Math.min(box.height, maxHeight) } });
    return out;
  }

  /** Runs a command from the command palette by its title, e.g. 'Rust Offload: Run Executor Self-Test'. */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await this.dismissQuickInput();
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    // Wait for the exact entry, so Enter does not run whatever was first while the list was still filtering.
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    await input.waitFor({ state: 'hidden' });
  }

  /** Opens a workspace file at a line through Quick Open (`name:line`), as a person would with Ctrl+P. */
  async openFileAt(fileName: string, line: number): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await this.dismissQuickInput();
    await this.page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible' });
    await input.fill(`${fileName}:${line}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /**
   * Sets a breakpoint on `line` of a workspace file as a person would: Quick Open `name:line`, then Toggle Breakpoint.
   * Waits for the cursor to be on that line before toggling (Quick Open reveals the line after its input closes, and a
   * toggle before then lands on another line, where the program never stops) and for the breakpoint to show after.
   */
  async setBreakpointAt(fileName: string, line: number): Promise<void> {
    await this.openFileAt(fileName, line);
    await this.page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    await this.page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line},`) }).first().waitFor({ state: 'visible' });
    await this.runCommand('Debug: Toggle Breakpoint');
    await this.page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ state: 'visible' });
  }

  /** The row of the top frame in Call Stack that is in `fileName`, e.g. "main main.rs 76:9"; '' when there is none. */
  async frameIn(fileName: string): Promise<string> {
    return (await this.treeRows('Call Stack').filter({ hasText: fileName }).first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
  }

  /**
   * Waits for the debug session to stop at `fileName:line` (Call Stack shows it). Fails at once, with a screenshot,
   * if the session ends first: the program ran past the breakpoint, and waiting longer would not change that.
   */
  async waitForStopAt(fileName: string, line: number, timeoutMs = 150_000): Promise<string> {
    const what = `the stop at ${fileName}:${line}`;
    await this.page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: timeoutMs });
    return this.untilDebugging(
      what,
      async () => {
        const frame = await this.frameIn(fileName);
        if (!frame && !(await this.page.locator('.debug-toolbar').isVisible())) {
          throw new Error(`The debug session ended before ${what}${await this.screenshotNote('session-ended-before-stop')}.\n${await this.debugState()}`);
        }
        return frame;
      },
      (frame) => frame.includes(`${line}:`),
      timeoutMs,
    );
  }

  /** `until` for a state of a debug session: a timeout's message also says what the workbench shows of debugging. */
  async untilDebugging<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs?: number): Promise<T> {
    return this.until(what, read, accept, timeoutMs).catch(async (err: Error) => {
      if (err.message.startsWith('Timed out')) err.message += `\n${await this.debugState()}`;
      throw err;
    });
  }

  /** What the workbench shows of debugging, for a failure message (CI keeps the log, not always the screenshots). */
  async debugState(): Promise<string> {
    const texts = async (selector: string, last = 12): Promise<string[]> =>
      (await this.page.locator(selector).allTextContents().catch(() => [] as string[])).map((t) => t.trim()).filter(Boolean).slice(-last);
    const lines = [
      `debug toolbar: ${(await this.page.locator('.debug-toolbar').isVisible().catch(() => false)) ? 'shown' : 'hidden'}`,
      `side bar: ${(await texts('.part.sidebar .composite.title h2', 1)).join('') || '(none)'}`,
      `Call Stack: ${JSON.stringify(await this.treeRows('Call Stack').allTextContents().catch(() => []))}`,
      `Breakpoints: ${JSON.stringify(await this.treeRows('Breakpoints').allTextContents().catch(() => []))}`,
      `notifications: ${JSON.stringify(await texts('.notifications-toasts .notification-list-item-message'))}`,
      'Debug Console (last lines):',
      ...(await texts('.repl .monaco-list-row', 25)).map((t) => `  ${t}`),
    ];
    return lines.join('\n');
  }

  private async dismissQuickInput(): Promise<void> {
    if (await this.page.locator('.quick-input-widget input').isVisible()) await this.page.keyboard.press('Escape');
  }

  /** The view container's icon in the activity bar, found by its title (its tooltip); the whole item, so a badge on it takes the click too. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item:has(> a[aria-label^="${title}"]), .activitybar .action-item[aria-label^="${title}"]`).first();
  }

  /** A view's pane in the side bar, found by the view's name. */
  viewPane(viewName: string): Locator {
    return this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: viewName }) }).first();
  }

  /**
   * Clicks a view's title button (e.g. 'Clear Finished Tasks'). With one view in its container the buttons sit in
   * the side bar's title; with several, in the view's pane header, shown while the pointer is over it.
   */
  async clickViewTitleAction(viewName: string, title: string): Promise<void> {
    const header = this.viewPane(viewName).locator('.pane-header');
    if (await header.isVisible()) await header.hover();
    const action = this.page.locator(
      `.part.sidebar .title-actions .action-label[aria-label*="${title}"], .pane:has(.pane-header:has-text("${viewName}")) .pane-header .actions .action-label[aria-label*="${title}"]`,
    ).filter({ visible: true }).first();
    await action.click();
  }

  /** Rows of the tree in a view whose accessible label contains `text`. */
  treeRows(viewName: string, text?: string | RegExp): Locator {
    const rows = this.viewPane(viewName).locator('.monaco-list-row');
    return text === undefined ? rows : rows.filter({ hasText: text });
  }

  /** Drags the sash between the side bar and the editor so the side bar is `width` px wide (for readable screenshots). */
  async setSideBarWidth(width: number): Promise<void> {
    const sidebar = await this.page.locator('.part.sidebar').boundingBox();
    if (!sidebar) throw new Error('The side bar is not visible.');
    const edge = sidebar.x + sidebar.width;
    const y = sidebar.y + sidebar.height / 2;
    await this.page.mouse.move(edge + 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(sidebar.x + width, y, { steps: 5 });
    await this.page.mouse.up();
  }

  /** Polls `read` until `accept` holds, for states the UI reaches by itself (tasks finishing); fails with the last value seen. */
  async until<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    for (;;) {
      last = await read();
      if (accept(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${what}; last seen: ${JSON.stringify(last)}${await this.screenshotNote(`timed-out-${what}`)}`);
      }
      await this.page.waitForTimeout(250);
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
