// Done callbacks: order, immediate run when already done, a throwing callback is logged and the others still run.
import * as assert from 'node:assert/strict';
import { Future, setFutureLogger } from '../../../src/futures';
import { futureLogger } from '../../../src/futures/future';

describe('futures: done callbacks', () => {
  let logged: Array<[string, unknown]>;
  const original = futureLogger;
  beforeEach(() => {
    logged = [];
    setFutureLogger((message, err) => logged.push([message, err]));
  });
  afterEach(() => setFutureLogger(original));

  it('runs callbacks in order with the future, once, on setResult', () => {
    const f = new Future<number>();
    const seen: string[] = [];
    f.addDoneCallback((x) => seen.push(`a${x === f ? '' : '?'}`));
    f.addDoneCallback(() => seen.push('b'));
    assert.deepEqual(seen, []);
    f.setResult(5);
    assert.deepEqual(seen, ['a', 'b']);
    assert.throws(() => f.setResult(6));
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('runs a callback at once when the future is already done', () => {
    const f = new Future<number>();
    f.setException(new Error('x'));
    let ran = 0;
    f.addDoneCallback(() => ran++);
    assert.equal(ran, 1);
  });

  it('runs callbacks on cancel (CANCELLED) and on interrupt', () => {
    const f = new Future();
    const states: string[] = [];
    f.addDoneCallback((x) => states.push(x.state));
    f.cancel();
    assert.deepEqual(states, ['CANCELLED']);
    const g = new Future();
    g.setRunningOrNotifyCancel();
    let ran = false;
    g.addDoneCallback(() => (ran = true));
    g.interrupt();
    assert.equal(ran, true);
  });

  it('a throwing callback is logged and the later callbacks still run', () => {
    const f = new Future<number>();
    const seen: number[] = [];
    f.addDoneCallback(() => seen.push(1));
    f.addDoneCallback(() => {
      throw new Error('bad callback');
    });
    f.addDoneCallback(() => seen.push(3));
    f.setResult(1);
    assert.deepEqual(seen, [1, 3]);
    assert.equal(logged.length, 1);
    assert.match(logged[0][0], /done callback of future #\d+ threw Error: bad callback/);
  });

  it('a callback added to a done future that throws is logged too', () => {
    const f = new Future<number>();
    f.setResult(1);
    f.addDoneCallback(() => {
      throw 0;
    });
    assert.equal(logged.length, 1);
  });

  it('progress listeners get reports until disposed or settled', () => {
    const f = new Future<number>();
    const seen: Array<number | undefined> = [];
    const sub = f.onProgress((p) => seen.push(p.fraction));
    f._progress({ fraction: 0.1 });
    sub.dispose();
    f._progress({ fraction: 0.2 });
    f.onProgress((p) => seen.push(p.fraction));
    f._progress({ fraction: 0.3 });
    f.setResult(1);
    f._progress({ fraction: 0.4 });
    assert.deepEqual(seen, [0.1, 0.3]);
    assert.deepEqual(f.lastProgress, { fraction: 0.3 });
  });
});
