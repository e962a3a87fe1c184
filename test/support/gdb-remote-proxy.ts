// A TCP proxy between LLDB and winedbg's gdb stub (wine 8.0) that works around the stub's breakpoint quirks, so LLDB's breakpoints fire.
import * as net from 'node:net';

/**
 * What the proxy changes, and why (each quirk blocks breakpoints on its own):
 * - The stub answers `Z0` (software breakpoint) empty, and `Z1` (hardware) `OK` without ever firing. The proxy answers
 *   `Z1`/`z1` empty itself, so LLDB falls back to writing `int3` (`M addr,1:cc` / `X`).
 * - After an `int3` Windows reports RIP one past it. When a stop reply's RIP is one past a byte the proxy saw LLDB set to
 *   0xcc, the proxy sets RIP back in the stub (`P10=…`) and reports the corrected value, as a Linux stub would.
 */
export interface GdbProxyOptions {
  stubHost?: string;
  stubPort: number;
  /** Each packet in both directions, for diagnosing a session. */
  log?: (line: string) => void;
}

const RIP = 0x10;
/** Packets that resume the program (their reply is the next stop) or end it: no nudging while one is owed. */
const RESUMES = /^(?:[cCsSk]|vCont;[cCsS]|vKill)/;
const NUDGE = 'qC';
const NUDGE_DELAY_MS = 100;

export class GdbRemoteProxy {
  private readonly server = net.createServer((client) => this.serve(client));
  private readonly sockets = new Set<net.Socket>();
  /** Addresses where LLDB wrote an int3 and has not restored the byte. */
  readonly breakpoints = new Set<bigint>();
  /** How many stops were corrected (RIP moved back onto an int3), for the tests to check the proxy did its work. */
  corrections = 0;
  private closed = false;

  private constructor(private readonly options: GdbProxyOptions) {}

  static async listen(options: GdbProxyOptions): Promise<GdbRemoteProxy> {
    const proxy = new GdbRemoteProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): void {
    this.closed = true;
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  private serve(client: net.Socket): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    const stub = net.connect(this.options.stubPort, this.options.stubHost ?? '127.0.0.1');
    stub.setNoDelay(true);
    client.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(stub);
    const log = this.options.log ?? (() => undefined);
    let noAck = false;
    let askedNoAck = false;
    /** Acks LLDB sends for replies the proxy made itself: the stub never sent those packets, so it must not see the acks. */
    let localAcks = 0;
    /**
     * Who each reply the stub still owes goes to, in order: LLDB, or the proxy itself (a nudge, whose reply is dropped;
     * a `P10=`, whose reply releases the held stop). A continue's reply is the stop, so it queues like any request.
     */
    const owed: Array<{ who: 'lldb' | 'nudge' | 'rip'; resumes?: boolean }> = [];
    let lastHeard = Date.now();
    const nudger = setInterval(() => {
      if (!noAck || owed.length === 0 || owed.some((e) => e.resumes) || Date.now() - lastHeard < NUDGE_DELAY_MS) return;
      lastHeard = Date.now();
      owed.push({ who: 'nudge' });
      send(stub, frame(NUDGE));
    }, NUDGE_DELAY_MS);
    /** A stop reply held back until the stub has answered the `P10=` that corrects it. */
    let heldStop: string | undefined;

    const send = (socket: net.Socket, data: string): void => {
      if (!socket.destroyed) socket.write(Buffer.from(data, 'latin1'));
    };
    const end = (): void => {
      clearInterval(nudger);
      client.destroy();
      stub.destroy();
      this.sockets.delete(client);
      this.sockets.delete(stub);
    };
    client.on('close', end).on('error', end);
    stub.on('close', end).on('error', end);

    const fromClient = new PacketReader((item) => {
      if (item.kind !== 'packet') {
        if (item.kind === 'ack' && item.text === '+' && localAcks > 0) {
          localAcks--;
          return;
        }
        send(stub, item.text);
        return;
      }
      const body = item.body;
      log(`lldb> ${body}`);
      if (/^[zZ]1,/.test(body)) {
        // Answer "unsupported" for the stub; LLDB then writes int3 bytes.
        if (!noAck) send(client, '+');
        send(client, frame(''));
        if (!noAck) localAcks++;
        log('proxy< (empty: hardware breakpoints refused)');
        return;
      }
      this.noteMemoryWrite(body);
      if (body === 'QStartNoAckMode') askedNoAck = true;
      send(stub, item.raw);
      owed.push({ who: 'lldb', resumes: RESUMES.test(body) });
      lastHeard = Date.now();
    });

    const fromStub = new PacketReader((item) => {
      if (item.kind !== 'packet') {
        send(client, item.text);
        return;
      }
      const body = item.body;
      log(`stub< ${body}`);
      lastHeard = Date.now();
      const owner = (owed.shift() ?? { who: 'lldb' }).who;
      if (owner === 'nudge') {
        log('proxy: nudge answered, dropped');
        return;
      }
      if (owner === 'rip') {
        log(`proxy: P10 answered ${JSON.stringify(body)}`);
        if (heldStop !== undefined) send(client, frame(heldStop));
        heldStop = undefined;
        return;
      }
      if (askedNoAck && body === 'OK') {
        noAck = true;
        askedNoAck = false;
      }
      const corrected = noAck ? this.correctStop(body) : undefined;
      if (corrected) {
        // Set RIP back and hold the reply until the stub agrees (no-ack mode: LLDB starts every session with it).
        heldStop = corrected.reply;
        owed.unshift({ who: 'rip' });
        lastHeard = Date.now();
        send(stub, frame(`P${RIP.toString(16)}=${littleEndianHex(corrected.rip)}`));
        this.corrections++;
        log(`proxy: int3 at 0x${corrected.rip.toString(16)}: RIP set back by one`);
        return;
      }
      send(client, item.raw);
    });

    client.on('data', (chunk) => fromClient.push(chunk.toString('latin1')));
    stub.on('data', (chunk) => fromStub.push(chunk.toString('latin1')));
  }

  /** Tracks int3 bytes LLDB writes (`M addr,1:cc`, `X addr,1:\xcc`) and the original bytes it writes back. */
  private noteMemoryWrite(body: string): void {
    const m = /^([MX])([0-9a-fA-F]+),1:([\s\S]*)$/.exec(body);
    if (!m) return;
    const address = BigInt(`0x${m[2]}`);
    const value = m[1] === 'M' ? parseInt(m[3].slice(0, 2), 16) : unescapeBinary(m[3]).charCodeAt(0);
    if (value === 0xcc) this.breakpoints.add(address);
    else this.breakpoints.delete(address);
  }

  /** A `T` stop reply for SIGTRAP whose RIP register is one past a known int3, with RIP moved back onto it. */
  private correctStop(body: string): { reply: string; rip: bigint } | undefined {
    if (!/^T05/.test(body)) return undefined;
    const field = /(^|;|T05)(10|0*10):([0-9a-fA-F]{16});/.exec(body);
    if (!field) return undefined;
    const rip = fromLittleEndianHex(field[3]);
    if (!this.breakpoints.has(rip - 1n)) return undefined;
    const start = field.index + field[1].length;
    const reply = `${body.slice(0, start)}${field[2]}:${littleEndianHex(rip - 1n)};${body.slice(start + field[0].length - field[1].length)}`;
    return { reply, rip: rip - 1n };
  }
}

type Item = { kind: 'ack' | 'interrupt'; text: string } | { kind: 'packet'; body: string; raw: string };

/** Splits a gdb-remote byte stream into acks, interrupts and `$body#cs` packets (a `#` never appears unescaped in a body). */
class PacketReader {
  private buffer = '';
  constructor(private readonly onItem: (item: Item) => void) {}

  push(text: string): void {
    this.buffer += text;
    for (;;) {
      if (this.buffer.length === 0) return;
      const c = this.buffer[0];
      if (c === '+' || c === '-') {
        this.buffer = this.buffer.slice(1);
        this.onItem({ kind: 'ack', text: c });
        continue;
      }
      if (c === '\x03') {
        this.buffer = this.buffer.slice(1);
        this.onItem({ kind: 'interrupt', text: c });
        continue;
      }
      if (c !== '$' && c !== '%') {
        // Noise between packets (never expected): pass it on as is.
        let cut = 1;
        while (cut < this.buffer.length && !'$%+-\x03'.includes(this.buffer[cut])) cut++;
        this.onItem({ kind: 'ack', text: this.buffer.slice(0, cut) });
        this.buffer = this.buffer.slice(cut);
        continue;
      }
      const hash = this.buffer.indexOf('#');
      if (hash < 0 || this.buffer.length < hash + 3) return;
      const raw = this.buffer.slice(0, hash + 3);
      this.buffer = this.buffer.slice(hash + 3);
      this.onItem({ kind: 'packet', body: raw.slice(1, hash), raw });
    }
  }
}

function frame(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xff;
  return `$${body}#${sum.toString(16).padStart(2, '0')}`;
}

function unescapeBinary(text: string): string {
  return text.replace(/\}([\s\S])/g, (_, c: string) => String.fromCharCode(c.charCodeAt(0) ^ 0x20));
}

function fromLittleEndianHex(hex: string): bigint {
  let value = 0n;
  for (let i = hex.length - 2; i >= 0; i -= 2) value = (value << 8n) | BigInt(parseInt(hex.slice(i, i + 2), 16));
  return value;
}

function littleEndianHex(value: bigint): string {
  let out = '';
  for (let i = 0; i < 8; i++) {
    out += Number((value >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0');
  }
  return out;
}
