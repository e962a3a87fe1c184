// The DWARF line-number state machine, compiled to WebAssembly (scripts/build-wasm.mjs): the same rows as
// runLineProgram in ../dwarf-line.ts, which stays as the reference and the fallback. Arithmetic is done in doubles, as
// JavaScript does, so both give the same rows for any input, corrupt ones included.
//
// The host copies one program (the bytes after its unit_length) to lp_input(), its file ids to lp_ids(), calls
// lp_begin() with the header's values, then lp_run() until it reports done or an error, taking the rows out of
// lp_out_*() after each call. No libc: the module imports nothing.

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define OUT_CAP 16384
#define PAGE 65536

enum { STATUS_DONE = 0, STATUS_FULL = 1, STATUS_ERROR = 2 };
enum { ERR_TRUNCATED = 1, ERR_VALUE_SIZE = 2 };

extern u8 __heap_base;

static double out_address[OUT_CAP];
static u32 out_file[OUT_CAP];
static u32 out_line[OUT_CAP];

static u8 *input;
static u32 *ids;

static struct {
  u32 length, pos, id_count;
  u32 address_size, min_inst, line_range, opcode_base;
  double line_base;
  u8 std_lengths[256];
  double address, file, line, last_file, last_line;
  int skipping, seq_started;
  // The error: its kind, where the read started, and how many bytes it needed (or the bad value size).
  u32 err_kind, err_n;
  double err_pos;
} s;

// Memory past the module's data: the input first, then the ids, both grown on demand (never shrunk).
static u8 *heap_at(u32 offset, u32 bytes) {
  u32 base = ((u32)&__heap_base + 15) & ~15u;
  u32 end = base + offset + bytes;
  u32 have = __builtin_wasm_memory_size(0) * PAGE;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + PAGE - 1) / PAGE) == (unsigned long)-1) return 0;
  return (u8 *)(base + offset);
}

// Room for a program of `length` bytes and `id_count` file ids (the ids after the program); 0 when memory cannot grow.
__attribute__((export_name("lp_reserve"))) int lp_reserve(u32 length, u32 id_count) {
  u32 in_bytes = (length + 15) & ~15u;
  u8 *at = heap_at(0, in_bytes + id_count * 4);
  if (!at) return 0;
  input = at;
  ids = (u32 *)(at + in_bytes);
  return 1;
}
__attribute__((export_name("lp_input"))) u8 *lp_input(void) { return input; }
__attribute__((export_name("lp_ids"))) u32 *lp_ids(void) { return ids; }
__attribute__((export_name("lp_out_address"))) double *lp_out_address(void) { return out_address; }
__attribute__((export_name("lp_out_file"))) u32 *lp_out_file(void) { return out_file; }
__attribute__((export_name("lp_out_line"))) u32 *lp_out_line(void) { return out_line; }
__attribute__((export_name("lp_std_lengths"))) u8 *lp_std_lengths(void) { return s.std_lengths; }
__attribute__((export_name("lp_error_kind"))) u32 lp_error_kind(void) { return s.err_kind; }
__attribute__((export_name("lp_error_pos"))) double lp_error_pos(void) { return s.err_pos; }
__attribute__((export_name("lp_error_n"))) u32 lp_error_n(void) { return s.err_n; }

// Starts the program: `length` bytes at lp_input(), opcodes from `start`; lp_std_lengths() filled by the host.
__attribute__((export_name("lp_begin"))) void lp_begin(u32 length, u32 start, u32 id_count, u32 address_size, u32 min_inst,
                                                         int line_base, u32 line_range, u32 opcode_base) {
  s.length = length;
  s.pos = start;
  s.id_count = id_count;
  s.address_size = address_size;
  s.min_inst = min_inst;
  s.line_base = line_base;
  s.line_range = line_range;
  s.opcode_base = opcode_base;
  s.address = 0;
  s.file = 1;
  s.line = 1;
  s.last_file = -1;
  s.last_line = -1;
  s.skipping = 0;
  s.seq_started = 0;
  s.err_kind = 0;
}

#define FAIL(n)                    \
  do {                             \
    s.err_kind = ERR_TRUNCATED;    \
    s.err_pos = pos;               \
    s.err_n = (n);                 \
    goto error;                    \
  } while (0)

// LEB128 as Reader.uleb/sleb do it: in doubles, bits past 2^56 dropped.
#define ULEB(out)                                          \
  do {                                                     \
    double r_ = 0, m_ = 1;                                 \
    for (;;) {                                             \
      if (pos >= len) FAIL(1);                             \
      u8 b_ = in[pos++];                                   \
      if (m_ < 72057594037927936.0) r_ += (b_ & 0x7f) * m_; \
      if (!(b_ & 0x80)) break;                             \
      m_ *= 128;                                           \
    }                                                      \
    out = r_;                                              \
  } while (0)

#define SLEB(out)                                                  \
  do {                                                             \
    double r_ = 0, m_ = 1;                                         \
    u8 b_;                                                         \
    for (;;) {                                                     \
      if (pos >= len) FAIL(1);                                     \
      b_ = in[pos++];                                              \
      if (m_ < 72057594037927936.0) r_ += (b_ & 0x7f) * m_;         \
      m_ *= 128;                                                   \
      if (!(b_ & 0x80)) break;                                     \
    }                                                              \
    if ((b_ & 0x40) && m_ <= 9223372036854775808.0) r_ -= m_;       \
    out = r_;                                                      \
  } while (0)

// A line as a Uint32Array element stores it (ECMAScript ToUint32): truncated, modulo 2^32; NaN and infinities give 0.
static u32 to_uint32(double d) {
  if (d != d || d - d != 0) return 0;
  double t = __builtin_trunc(d);
  double m = t - __builtin_floor(t / 4294967296.0) * 4294967296.0;
  return (u32)m;
}

static double file_id(double file, u32 id_count) {
  if (file >= 0 && file < id_count) return ids[(u32)file];
  return 4294967295.0;
}

static u32 status;
__attribute__((export_name("lp_status"))) u32 lp_status(void) { return status; }

// Runs until the program ends, the output is full or the input is bad. Returns the rows written to lp_out_*();
// lp_status() says which of the three it was.
__attribute__((export_name("lp_run"))) u32 lp_run(void) {
  const u8 *in = input;
  const u32 len = s.length;
  u32 pos = s.pos;
  u32 n = 0;
  double address = s.address, file = s.file, line = s.line, last_file = s.last_file, last_line = s.last_line;
  int skipping = s.skipping, seq_started = s.seq_started;
  const u32 opcode_base = s.opcode_base, line_range = s.line_range, min_inst = s.min_inst;
  const double line_base = s.line_base;
  while (pos < len) {
    if (n + 2 > OUT_CAP) {
      status = STATUS_FULL;
      goto save;
    }
    u32 op = in[pos++];
    int emit = 0;
    if (op >= opcode_base) {
      u32 adj = op - opcode_base;
      address += (double)(adj / line_range) * min_inst;
      line += line_base + (double)(adj % line_range);
      emit = 1;
    } else {
      switch (op) {
        case 0: {
          double ext;
          ULEB(ext);
          if (ext == 0) break;
          double end = pos + ext;
          if (pos >= len) FAIL(1);
          u32 sub = in[pos++];
          if (sub == 1) {
            if (seq_started && !skipping) {
              out_address[n] = address;
              out_file[n] = file_id(file, s.id_count);
              out_line[n] = 0;
              n++;
            }
            address = 0;
            file = 1;
            line = 1;
            last_file = -1;
            last_line = -1;
            seq_started = 0;
            skipping = 0;
          } else if (sub == 2) {
            double size = ext - 1 == 4 ? 4 : ext - 1 == 8 ? 8 : s.address_size;
            if (size == 1) {
              if (pos >= len) FAIL(1);
              address = in[pos++];
            } else if (size == 2 || size == 4 || size == 8) {
              u32 k = (u32)size;
              if (pos + k > len) FAIL(k);
              if (k == 2) address = in[pos] | in[pos + 1] << 8;
              else {
                u32 lo = in[pos] | in[pos + 1] << 8 | in[pos + 2] << 16 | (u32)in[pos + 3] << 24;
                u32 hi = k == 8 ? (in[pos + 4] | in[pos + 5] << 8 | in[pos + 6] << 16 | (u32)in[pos + 7] << 24) : 0;
                address = (double)hi * 4294967296.0 + lo;
              }
              pos += k;
            } else {
              s.err_kind = ERR_VALUE_SIZE;
              s.err_pos = pos;
              s.err_n = (u32)size;
              goto error;
            }
          }
          // As Reader: pos = end, then need(0) (end past the program is an error at `end`).
          if (end > len) {
            s.err_kind = ERR_TRUNCATED;
            s.err_pos = end;
            s.err_n = 0;
            goto error;
          }
          pos = (u32)end;
          break;
        }
        case 1: emit = 1; break;
        case 2: {
          double v;
          ULEB(v);
          address += v * min_inst;
          break;
        }
        case 3: {
          double v;
          SLEB(v);
          line += v;
          break;
        }
        case 4: ULEB(file); break;
        case 5: case 12: {
          double v;
          ULEB(v);
          (void)v;
          break;
        }
        case 6: case 7: case 10: case 11: break;
        case 8: address += (double)((255 - opcode_base) / line_range) * min_inst; break;
        case 9:
          if (pos + 2 > len) FAIL(2);
          address += in[pos] | in[pos + 1] << 8;
          pos += 2;
          break;
        default: {
          for (u32 i = 0; i < s.std_lengths[op]; i++) {
            double v;
            ULEB(v);
            (void)v;
          }
        }
      }
    }
    if (!emit) continue;
    if (!seq_started) {
      seq_started = 1;
      skipping = address == 0;
    }
    if (skipping) continue;
    double id = file_id(file, s.id_count);
    if (id != last_file || line != last_line) {
      out_address[n] = address;
      out_file[n] = (u32)id;
      out_line[n] = to_uint32(line);
      n++;
      last_file = id;
      last_line = line;
    }
  }
  status = STATUS_DONE;
  goto save;
error:
  status = STATUS_ERROR;
save:
  s.pos = pos;
  s.address = address;
  s.file = file;
  s.line = line;
  s.last_file = last_file;
  s.last_line = last_line;
  s.skipping = skipping;
  s.seq_started = seq_started;
  return n;
}
