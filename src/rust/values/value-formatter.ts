// Turns value views into what the Variables view shows: `{:?}`-like summaries under a character and time budget, and paged children with evaluateNames.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TypeRef } from '../../symbols/type-model';
import { cStringText, lossyBytesText, stringText, wtf8Text } from './debug-text';
import { MemoryError } from './memory-reader';
import { index, LayoutError, type Place, type ValueViews, type View, type ViewEntry, type ViewField } from './value-views';

/**
 * What the adapter stores under a variablesReference of its own and passes back to expand the value: JSON only.
 * `bytes` carries a value lldb-dap gave us by content (a pointer whose memoryReference is its pointee).
 */
export interface ValueHandle {
  type: TypeRef;
  address: number;
  expr?: string;
  bytes?: number[];
}

export interface ShownValue {
  name: string;
  value: string;
  type?: string;
  evaluateName?: string;
  memoryReference?: string;
  /** Set when the value has children. */
  handle?: ValueHandle;
  indexedVariables?: number;
  namedVariables?: number;
  presentationHint?: DebugProtocol.VariablePresentationHint;
  /** lldb-dap's own text (a value in registers, or one whose type we do not have); the adapter keeps lldb's variablesReference. */
  fromLldb?: boolean;
}

export interface FormatterOptions {
  /** Characters of a top-level summary (a local, a watch). */
  summaryChars: number;
  /** Characters of a child's summary in an expanded value. */
  childSummaryChars: number;
  /** Time one summary may take before it is cut and says so. */
  timeBudgetMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

export const DEFAULT_FORMATTER_OPTIONS: FormatterOptions = { summaryChars: 1000, childSummaryChars: 300, timeBudgetMs: 250 };

/** Children returned when no page is asked for; a client that does not page sees this many and a note. */
export const UNPAGED_CHILDREN = 1000;
/** Nesting shown in one summary; deeper values (and Rc cycles) show `…`. */
const MAX_DEPTH = 12;
/** Entries fetched from a map at a time while summarising it. */
const MAP_BATCH = 64;
/** Most items of a sequence whose memory is fetched at once (see warmUp): a 1000-character summary shows fewer. */
const WARM_BATCH = 400;
/** The largest span of places read at once ahead of formatting them. */
const SPAN_LIMIT = 64 << 10;

/** Formats places through one ValueViews (one table, one memory reader, one task). */
export class ValueFormatter {
  private readonly options: FormatterOptions;
  private readonly now: () => number;
  private deadline = Infinity;
  private timedOut = false;
  private readonly views = new Map<string, Promise<View>>();

  constructor(
    readonly values: ValueViews,
    options: Partial<FormatterOptions> = {},
  ) {
    this.options = { ...DEFAULT_FORMATTER_OPTIONS, ...options };
    this.now = options.now ?? Date.now;
  }

  /** The view of a place, kept for the task (summaries and children ask for the same ones). */
  view(place: Place): Promise<View> {
    if (place.bytes) return this.values.view(place);
    const key = `${place.type}@${place.address}@${place.expr ?? ''}`;
    let view = this.views.get(key);
    if (!view) {
      view = this.values.view(place);
      this.views.set(key, view);
    }
    return view;
  }

  /** The summary of one value within `chars`, starting its own time budget. */
  async summary(place: Place, chars = this.options.summaryChars): Promise<string> {
    this.deadline = this.now() + this.options.timeBudgetMs;
    this.timedOut = false;
    const text = await this.render(place, chars, 0);
    return this.timedOut ? `${text} <summary cut after ${this.options.timeBudgetMs} ms: expand to see more>` : text;
  }

  /** One row of the Variables view for a value. */
  async shown(name: string, place: Place, chars = this.options.summaryChars): Promise<ShownValue> {
    this.options.signal?.throwIfAborted();
    const type = this.typeName(place.type);
    const row: ShownValue = { name, value: '', type, evaluateName: place.expr };
    if (!place.bytes) row.memoryReference = `0x${place.address.toString(16)}`;
    let view: View;
    try {
      view = await this.view(place);
    } catch (err) {
      row.value = errorText(err);
      return row;
    }
    row.value = await this.summary(place, chars);
    if (row.value.startsWith('<error: ')) return row;
    const counts = await this.counts(view);
    if (counts.indexed > 0 || counts.named > 0) {
      row.handle = { type: place.type, address: place.address, expr: place.expr, ...(place.bytes ? { bytes: [...place.bytes] } : {}) };
      if (counts.indexed > 0) row.indexedVariables = counts.indexed;
      if (counts.named > 0) row.namedVariables = counts.named;
    }
    return row;
  }

  /** The children of a value: a page of the indexed ones when start/count are given, else the named ones and the first indexed. */
  async children(place: Place, start?: number, count?: number, filter?: 'indexed' | 'named'): Promise<ShownValue[]> {
    let view: View;
    try {
      view = await this.view(place);
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return [{ name: '[error]', value: errorText(err) }];
    }
    const paged = start !== undefined || count !== undefined || filter === 'indexed';
    const from = start ?? 0;
    const take = count && count > 0 ? count : UNPAGED_CHILDREN;
    const out: ShownValue[] = [];
    switch (view.kind) {
      case 'leaf':
      case 'text':
        return out;
      case 'seq': {
        if (!paged || filter !== 'named') {
          const end = Math.min(view.len, from + take);
          await this.warmChildren(async () => {
            const items: Place[] = [];
            for (let i = from; i < end; i++) items.push(await view.item(i));
            return items;
          });
          for (let i = from; i < end; i++) {
            this.options.signal?.throwIfAborted();
            out.push(await this.child(`[${i}]`, () => view.item(i)));
          }
        }
        if (!paged || filter === 'named') out.push(...(view.extras ?? []).map((f) => this.fact(f)));
        return out;
      }
      case 'map': {
        if (paged && filter === 'named') return out;
        let entries: ViewEntry[];
        try {
          entries = await view.entries(from, Math.min(take, Math.max(0, view.len - from)));
        } catch (err) {
          return [{ name: `[${from}]`, value: errorText(err) }];
        }
        await this.warmChildren(async () => entries.flatMap((e) => (e.value && !view.set ? [e.key, e.value] : [e.key])));
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i];
          const keyText = await this.render(e.key, this.options.childSummaryChars, 1);
          if (view.set || !e.value) out.push(await this.shown(`[${from + i}]`, { ...e.key, expr: undefined }, this.options.childSummaryChars));
          else out.push(await this.shown(`[${keyText}]`, { ...e.value, expr: index(place.expr, keyText) }, this.options.childSummaryChars));
        }
        return out;
      }
      case 'fields': {
        if (paged && filter === 'indexed') return out;
        const chars = this.options.childSummaryChars;
        for (const f of view.fields) out.push(f.place && !f.text ? await this.shown(f.name, f.place, chars) : f.place ? { ...(await this.shown(f.name, f.place, chars)), value: f.text! } : this.fact(f));
        if (view.note) out.push({ name: '[note]', value: view.note, presentationHint: { kind: 'virtual' } });
        return out;
      }
      case 'deref': {
        const target = await this.tryView(view.target);
        const leafTarget = !target || target.kind === 'leaf' || target.kind === 'text';
        const own = leafTarget ? [] : await this.children(view.target, start, count, filter);
        if (leafTarget && (!paged || filter === 'named')) own.push(await this.shown('*', view.target, this.options.childSummaryChars));
        if (!paged || filter === 'named') own.push(...view.extras.map((f) => this.fact(f)));
        return own;
      }
    }
  }

  /** Fetches the memory of a page of children at once (see warmUp), under a time budget of its own. */
  private async warmChildren(places: () => Promise<Place[]>): Promise<void> {
    let list: Place[];
    try {
      list = await places();
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return; // the children show their own errors
    }
    this.deadline = this.now() + this.options.timeBudgetMs;
    this.timedOut = false;
    await this.warmUp(list, this.options.childSummaryChars, 1);
  }

  private async child(name: string, place: () => Promise<Place>): Promise<ShownValue> {
    try {
      return await this.shown(name, await place(), this.options.childSummaryChars);
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return { name, value: errorText(err) };
    }
  }

  private fact(f: ViewField): ShownValue {
    return { name: f.name, value: f.text ?? '', presentationHint: { kind: 'virtual', attributes: ['readOnly'] } };
  }

  private async tryView(place: Place): Promise<View | undefined> {
    try {
      return await this.view(place);
    } catch {
      return undefined;
    }
  }

  /** How many children a view has (a deref counts its target's, plus its own facts). */
  private async counts(view: View): Promise<{ indexed: number; named: number }> {
    switch (view.kind) {
      case 'leaf':
      case 'text':
        return { indexed: 0, named: 0 };
      case 'seq':
        return { indexed: view.len, named: view.extras?.length ?? 0 };
      case 'map':
        return { indexed: view.len, named: 0 };
      case 'fields':
        return { indexed: 0, named: view.fields.length + (view.note ? 1 : 0) };
      case 'deref': {
        const target = await this.tryView(view.target);
        const inner = target ? await this.counts(target) : { indexed: 0, named: 0 };
        // A pointer to a scalar shows the scalar as one child.
        const leafTarget = !target || target.kind === 'leaf' || target.kind === 'text';
        return { indexed: inner.indexed, named: inner.named + view.extras.length + (leafTarget && (view.text !== undefined || view.extras.length > 0) ? 1 : 0) };
      }
    }
  }

  private typeName(ref: TypeRef): string | undefined {
    try {
      return this.values.type(ref).name;
    } catch {
      return undefined;
    }
  }

  /** Summary text within `budget` characters; never throws (but for cancellation): errors become `<error: …>`. */
  async render(place: Place, budget: number, depth: number, warm = true): Promise<string> {
    this.options.signal?.throwIfAborted();
    if (depth > MAX_DEPTH) return '…';
    if (this.now() > this.deadline) {
      this.timedOut = true;
      return '…';
    }
    let view: View;
    try {
      view = await this.view(place);
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return errorText(err);
    }
    try {
      return await this.renderView(view, budget, depth, warm);
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return errorText(err);
    }
  }

  private async renderView(view: View, budget: number, depth: number, warm: boolean): Promise<string> {
    switch (view.kind) {
      case 'leaf':
        return view.text;
      case 'text':
        return this.renderText(view, budget);
      case 'seq': {
        const parts: string[] = [];
        let used = 2;
        let i = 0;
        let warming = warm;
        for (; i < view.len; i++) {
          if (used >= budget || this.timedOut || this.now() > this.deadline) break;
          if (warming && i % WARM_BATCH === 0) {
            const batch: Place[] = [];
            try {
              // Each item takes at least one character and a separator.
              for (let j = i; j < Math.min(view.len, i + WARM_BATCH, i + Math.ceil((budget - used) / 3) + 1); j++) batch.push(await view.item(j));
              warming = await this.warmUp(batch, budget - used, depth + 1);
            } catch (err) {
              if (this.options.signal?.aborted) throw err;
              warming = false; // the item shows its own error below
            }
          }
          let item: string;
          try {
            item = await this.render(await view.item(i), budget - used, depth + 1);
          } catch (err) {
            if (this.options.signal?.aborted) throw err;
            item = errorText(err);
          }
          parts.push(item);
          used += item.length + 2;
        }
        if (this.now() > this.deadline) this.timedOut = true;
        const [open, close] = view.braces ? ['{', '}'] : ['[', ']'];
        return i < view.len ? `len=${view.len} ${open}${[...parts, '…'].join(', ')}${close}` : `${open}${parts.join(', ')}${close}`;
      }
      case 'map': {
        const parts: string[] = [];
        let used = 2;
        let i = 0;
        outer: while (i < view.len) {
          const batch = await view.entries(i, Math.min(MAP_BATCH, view.len - i));
          if (batch.length === 0) break;
          if (warm) await this.warmUp(batch.flatMap((e) => (e.value && !view.set ? [e.key, e.value] : [e.key])), budget - used, depth + 1);
          for (const e of batch) {
            if (used >= budget || this.timedOut || this.now() > this.deadline) break outer;
            const key = await this.render(e.key, budget - used, depth + 1);
            const text = view.set || !e.value ? key : `${key}: ${await this.render(e.value, budget - used - key.length, depth + 1)}`;
            parts.push(text);
            used += text.length + 2;
            i++;
          }
        }
        if (this.now() > this.deadline) this.timedOut = true;
        return i < view.len ? `len=${view.len} {${[...parts, '…'].join(', ')}}` : `{${parts.join(', ')}}`;
      }
      case 'fields': {
        if (view.text !== undefined) return view.text;
        const shown = view.fields.filter((f) => !f.childOnly);
        const parts: string[] = [];
        let used = view.name.length + 4;
        for (const f of shown) {
          if (used >= budget) {
            parts.push('…');
            break;
          }
          const text = f.text ?? (f.place ? await this.render(f.place, budget - used, depth + 1) : '');
          parts.push(view.style === 'struct' && !view.range ? `${f.name}: ${text}` : text);
          used += text.length + f.name.length + 4;
        }
        let text: string;
        if (view.range) {
          const start = view.fields.find((f) => f.name === 'start') ? parts.shift() ?? '' : '';
          const end = view.fields.find((f) => f.name === 'end') ? parts.shift() ?? '' : '';
          text = `${start}${view.range.op}${end}${view.range.exhausted ? ' (exhausted)' : ''}`;
        } else if (view.style === 'unit') text = view.etc ? `${view.name} { .. }` : view.name;
        else if (view.style === 'tuple') text = view.name === '' && parts.length === 1 ? `(${parts[0]},)` : `${view.name}(${parts.join(', ')})`;
        else if (parts.length === 0) text = view.etc ? `${view.name} { .. }` : view.name;
        else text = `${view.name} { ${parts.join(', ')}${view.etc ? ', ..' : ''} }`;
        return view.note ? `${text} <${view.note}>` : text;
      }
      case 'deref':
        return view.text ?? this.render(view.target, budget, depth + 1, warm);
    }
  }

  /**
   * Renders places at once and drops the text, so the memory they need (a String key's bytes, an inner Vec's
   * elements) is fetched in concurrent reads rather than one round trip after another; the caller's own pass, in
   * order and within its budget, then finds every line in the task's cache. The places themselves, when they lie
   * close together (a Vec's elements, a hash table's buckets), are read first as one span. Says whether the
   * renders read anything beyond the places themselves.
   */
  private async warmUp(places: Place[], budget: number, depth: number): Promise<boolean> {
    if (places.length < 2 || depth > MAX_DEPTH) return false;
    await this.readSpan(places);
    if (this.values.memory.local) return false;
    // Places whose types show as plain leaves (integers, floats) need nothing more: their bytes are read.
    const kinds = new Map<TypeRef, Promise<string | undefined>>();
    for (const p of places) if (!kinds.has(p.type)) kinds.set(p.type, this.view(p).then((v) => v.kind, () => undefined));
    if ((await Promise.all(kinds.values())).every((k) => k === 'leaf')) return false;
    const before = this.values.memory.requests;
    await Promise.all(places.map((p) => this.render(p, budget, depth, false).catch(() => undefined)));
    this.options.signal?.throwIfAborted();
    return this.values.memory.requests > before;
  }

  /** Reads the bytes of places lying close together in one request (a prefetch: a failure is left to the places). */
  private async readSpan(places: Place[]): Promise<void> {
    let low = Infinity;
    let high = 0;
    let sum = 0;
    for (const p of places) {
      if (p.bytes) continue;
      const size = this.sizeOf(p.type);
      if (size === undefined || size === 0) continue;
      low = Math.min(low, p.address);
      high = Math.max(high, p.address + size);
      sum += size;
    }
    if (sum === 0 || high - low > Math.max(4096, 4 * sum) || high - low > SPAN_LIMIT) return;
    try {
      await this.values.memory.read(low, high - low);
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
    }
  }

  private sizeOf(ref: TypeRef): number | undefined {
    try {
      return this.values.type(ref).size;
    } catch {
      return undefined;
    }
  }

  /** A string's text, reading only the bytes the budget can show (4 per character at most). */
  private async renderText(view: Extract<View, { kind: 'text' }>, budget: number): Promise<string> {
    const want = Math.min(view.len, Math.max(16, budget * 4));
    let bytes = view.len === 0 ? new Uint8Array(0) : await this.values.memory.read(view.ptr, want);
    const cut = want < view.len;
    if (cut) {
      // Back up to a character boundary so the cut does not show a broken character.
      let end = bytes.length;
      while (end > 0 && (bytes[end - 1] & 0xc0) === 0x80) end--;
      if (end > 0 && bytes[end - 1] >= 0xc0) end--;
      bytes = bytes.subarray(0, end);
    }
    let text = view.encoding === 'c' ? cStringText(bytes) : view.encoding === 'wtf8' ? wtf8Text(bytes) : view.encoding === 'utf8' ? stringText(new TextDecoder().decode(bytes)) : lossyBytesText(bytes);
    if (text.length > budget + 2 || cut) {
      const inner = text.slice(1, -1);
      text = `len=${view.len} "${inner.slice(0, Math.max(0, budget - 2))}…"`;
    }
    return text;
  }
}

/** `<error: …>` for a value that cannot be shown; the message says what was wrong. */
export function errorText(err: unknown): string {
  if (err instanceof MemoryError || err instanceof LayoutError) return `<error: ${err.message}>`;
  return `<error: ${err instanceof Error ? err.message : String(err)}>`;
}

/** A place from a handle the adapter kept. */
export function placeOf(handle: ValueHandle): Place {
  return { type: handle.type, address: handle.address, expr: handle.expr, ...(handle.bytes ? { bytes: Uint8Array.from(handle.bytes) } : {}) };
}
