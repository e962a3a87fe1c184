// UI test, as a person would: open Debugger Tasks, run the self-test from the palette, watch the states, cancel the endless task inline.
import * as assert from 'node:assert/strict';
import { useWorkbench } from '../harness';
import type { Workbench } from '../workbench';

describe('Debugger Tasks in the workbench', function () {
  // One bulk worker: the endless task holds it, so the other bulk tasks stay queued until it is cancelled.
  const open = useWorkbench(() => ({ name: 'tasks-view', settings: { 'rustOffload.executor.maxWorkers': 1 } }));
  let wb: Workbench;
  beforeEach(() => {
    wb = open.wb;
  });

  /** A task row's text: label and description (state · elapsed). */
  const rowText = (label: string) => async () => (await wb.treeRows('Debugger Tasks', label).first().textContent().catch(() => '')) ?? '';

  it('shows the Rust Offload container with the empty view\'s welcome content', async () => {
    await wb.screenshot('workbench');
    await wb.activityBarItem('Rust Offload').click();
    const pane = wb.viewPane('Debugger Tasks');
    await pane.waitFor({ state: 'visible' });
    await pane.getByText('No debugger work is pending').waitFor({ state: 'visible' });
    await pane.getByRole('button', { name: 'Run Executor Self-Test' }).waitFor({ state: 'visible' });
    await wb.screenshot('empty-view');
  });

  it('runs the self-test from the command palette: one task running, the rest queued behind it, the quick ones done', async () => {
    await wb.runCommand('Rust Offload: Run Executor Self-Test');
    await wb.until('the endless task running', rowText('endless CPU-bound loop'), (t) => /running · /.test(t));
    await wb.until('the slow task queued', rowText('slow: 20 steps with progress'), (t) => /queued · /.test(t));
    await wb.until('the failing task queued', rowText('failing: throws DemoTaskError'), (t) => /queued · /.test(t));
    await wb.until('the quick task done', rowText('quick: 21 × 2'), (t) => /done · /.test(t));
    // Its 2 s deadline passes while it waits in the queue.
    await wb.until('the deadline task timed out', rowText('slow past its 2 s deadline'), (t) => /timed out · /.test(t));
    // The elapsed time in the description moves by itself while the task runs.
    const first = await rowText('endless CPU-bound loop')();
    await wb.until('the endless task\'s elapsed time to move', rowText('endless CPU-bound loop'), (t) => /running · /.test(t) && t !== first);
    const status = wb.page.locator('.statusbar-item', { hasText: /1 running · 3 queued/ }).first();
    await status.waitFor({ state: 'visible' });
    await wb.setSideBarWidth(560);
    await wb.screenshot('tasks-running-queued-done-timed-out');
  });

  it('offers Cancel only on unsettled tasks, and cancels the endless task with its inline button', async () => {
    const settled = wb.treeRows('Debugger Tasks', 'quick: 21 × 2').first();
    await settled.hover();
    assert.equal(await settled.locator('.actions .action-label[aria-label="Cancel Task"]').count(), 0, 'no Cancel on a settled task');
    const row = wb.treeRows('Debugger Tasks', 'endless CPU-bound loop').first();
    await row.hover();
    const cancel = row.locator('.actions .action-label[aria-label="Cancel Task"]');
    await cancel.waitFor({ state: 'visible' });
    await wb.screenshot('cancel-button');
    await cancel.click();
    await wb.until('the endless task cancelled', rowText('endless CPU-bound loop'), (t) => /cancelled · /.test(t));
    await wb.page.mouse.move(700, 700);
    // The worker is free again: the queued tasks run, the slow one reporting its progress.
    await wb.until('the slow task running with progress', rowText('slow: 20 steps with progress'), (t) => /running · .*step \d+ of 20/.test(t));
    await wb.screenshot('endless-cancelled-slow-running');
    // The README's picture of the view (copied to docs/sidebar.png by hand when the view changes).
    await wb.screenshotOf('.part.sidebar', 'sidebar', 280);
  });

  it('shows every way a task ends, and the self-test reports how it went', async () => {
    await wb.until('the slow task done', rowText('slow: 20 steps with progress'), (t) => /done · /.test(t));
    await wb.until('the failing task failed', rowText('failing: throws DemoTaskError'), (t) => /failed · /.test(t));
    await wb.until('the queued task done', rowText('queued: waits for a free worker'), (t) => /done · /.test(t));
    await wb.page.locator('.statusbar-item', { hasText: 'idle' }).first().waitFor({ state: 'visible' });
    await wb.screenshot('all-settled');
    // Toasts hide after a while; the notification center keeps them.
    await wb.runCommand('Notifications: Show Notifications');
    await wb.page.locator('.notifications-center', { hasText: 'Rust Offload self-test' }).first().waitFor({ state: 'visible' });
    await wb.screenshot('self-test-notification');
    await wb.page.keyboard.press('Escape');
  });

  it('shows a failed task\'s error and the worker\'s stack in its tooltip', async () => {
    await wb.treeRows('Debugger Tasks', 'failing: throws DemoTaskError').first().hover();
    const hover = wb.page.locator('.monaco-hover, .workbench-hover', { hasText: 'DemoTaskError' }).first();
    await hover.waitFor({ state: 'visible' });
    assert.match((await hover.textContent()) ?? '', /throwDeep/);
    await wb.screenshot('failed-tooltip');
    await wb.page.mouse.move(700, 700);
  });

  it('reveals Debugger Tasks from the status bar item', async () => {
    await wb.activityBarItem('Explorer').click();
    await wb.viewPane('Debugger Tasks').waitFor({ state: 'hidden' });
    await wb.screenshot('explorer-shown');
    await wb.page.locator('.statusbar-item', { hasText: 'idle' }).first().click();
    await wb.viewPane('Debugger Tasks').waitFor({ state: 'visible' });
    await wb.treeRows('Debugger Tasks', 'endless CPU-bound loop').first().waitFor({ state: 'visible' });
    await wb.screenshot('revealed-from-status-bar');
  });

  it('shows the log with a line for the self-test', async () => {
    await wb.runCommand('Rust Offload: Show Log');
    const output = wb.page.locator('.panel .monaco-editor', { hasText: 'Self-test: submitted' }).first();
    await output.waitFor({ state: 'visible' });
    await wb.screenshot('log');
  });

  it('clears the finished tasks with the view\'s title button, and shows the welcome content again', async () => {
    await wb.clickViewTitleAction('Debugger Tasks', 'Clear Finished Tasks');
    await wb.viewPane('Debugger Tasks').getByText('No debugger work is pending').waitFor({ state: 'visible' });
    assert.equal(await wb.treeRows('Debugger Tasks').count(), 0);
    await wb.screenshot('cleared');
  });
});
