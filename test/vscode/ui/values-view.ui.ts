// UI test, as a person would: at a stop in the example crate the Variables view shows Rust values (a struct, a Vec, a HashMap, an enum) as the program's own {:?} shows them, and a quick watch shows the new stop's value while a slow one still runs.
import * as assert from 'node:assert/strict';
import { exampleFolder, exampleLine, useWorkbench } from '../harness';
import type { Workbench } from '../workbench';

const QUICK_WATCH = 'warehouse.items[1].quantity';
const SLOW_WATCH = 'snapshot == backup';

describe('Rust values in the Variables and Watch views', function () {
  const open = useWorkbench(() => ({ name: 'values-view', folder: exampleFolder, settings: { 'rustOffload.evaluationTimeout': 170_000 } }));
  const breakpointLine = exampleLine();
  let wb: Workbench;
  beforeEach(() => {
    wb = open.wb;
  });

  /** A Variables row by its name (the label before the value), e.g. 'warehouse'. */
  const variable = (name: string) => wb.treeRows('Variables', new RegExp(`^\\s*${escape(name)}\\s*=`)).first();
  const rowText = async (name: string): Promise<string> => ((await variable(name).textContent({ timeout: 1000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ');
  const expand = async (name: string): Promise<void> => {
    const row = variable(name);
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    await wb.until(`${name} expanded`, async () => row.getAttribute('aria-expanded'), (v) => v === 'true');
  };

  it('shows the struct, its Vec, its HashMap (as the program printed it) and an enum, readable', async () => {
    await wb.setBreakpointAt('main.rs', breakpointLine);
    await wb.runCommand('View: Show Run and Debug');
    await wb.page.keyboard.press('F5');
    await wb.waitForStopAt('main.rs', breakpointLine);
    await wb.setSideBarWidth(700);

    const warehouse = await wb.untilDebugging('warehouse shown as a Rust value', () => rowText('warehouse'), (t) => t.includes('Warehouse {'));
    assert.match(warehouse, /name: "Main Street"/);
    await expand('warehouse');
    assert.match(await rowText('name'), /"Main Street"/);

    // The program printed `{:?}` of its index before the loop: the Variables view must show the same text.
    const console = wb.page.locator('.repl .monaco-list-row', { hasText: 'Main Street opens with' }).first();
    const printed = ((await console.textContent({ timeout: 30_000 })) ?? '').replace(/^.*opens with /, '').trim();
    assert.match(printed, /^\{".*\}$/);
    const index = await wb.until('the index HashMap', () => rowText('index'), (t) => t.includes('{"'));
    assert.ok(index.includes(printed), `the Variables view shows ${JSON.stringify(index)}, the program printed ${printed}`);

    await expand('items');
    const second = await wb.until('items[1]', () => rowText('[1]'), (t) => t.includes('Item {'));
    assert.match(second, /name: "apples", category: Food \{ perishable: true \}/);
    await expand('[1]');
    assert.match(await rowText('category'), /Food \{ perishable: true \}/);
    await wb.screenshot('rust-values');
    await wb.screenshotOf('.part.sidebar', 'values-view', 700);
  });

  it('a quick watch shows the next stop\'s value while a slow watch still runs; the slow one\'s value appears by itself', async () => {
    const watch = wb.viewPane('Watch');
    for (const expression of [QUICK_WATCH, SLOW_WATCH]) {
      await watch.locator('.pane-header').hover();
      await watch.locator('.pane-header .action-label[aria-label="Add Expression"]').click();
      // Keys typed before the new watch's input box has focus are lost.
      await watch.locator('.monaco-inputbox input:focus, .monaco-inputbox textarea:focus').first().waitFor({ state: 'visible' });
      await wb.page.keyboard.type(expression);
      await wb.page.keyboard.press('Enter');
    }
    const watchText = async (expression: string): Promise<string> => ((await wb.treeRows('Watch', expression).first().textContent({ timeout: 1000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ');
    // Its value, not the `1` of `items[1]`: while the program runs VS Code shows the watch as `not available`.
    const quickValue = (t: string): boolean => /quantity\s*[:=]?\s*\d+/.test(t);
    const quickBefore = await wb.until('the quick watch', () => watchText(QUICK_WATCH), quickValue);
    await wb.until('the slow watch running', () => watchText(SLOW_WATCH), (t) => t.includes('evaluating'));

    await wb.page.keyboard.press('F5'); // to the next day's stop: apples sell every day
    const quickAfter = await wb.until('the quick watch at the new stop', () => watchText(QUICK_WATCH), (t) => t !== quickBefore && quickValue(t));
    const slowMeanwhile = await watchText(SLOW_WATCH);
    assert.match(slowMeanwhile, /evaluating/, `the slow watch is still running when the quick one shows ${quickAfter}`);
    await wb.screenshot('quick-watch-while-slow-runs');
    await wb.screenshotOf('.part.sidebar', 'watch-slow-running', 700);
    const slowDone = await wb.until('the slow watch to finish by itself', () => watchText(SLOW_WATCH), (t) => /snapshot == backup\s*[:=]?\s*true/.test(t), 175_000);
    assert.match(slowDone, /true/);
    await wb.screenshotOf('.part.sidebar', 'watch-slow-settled', 700);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
