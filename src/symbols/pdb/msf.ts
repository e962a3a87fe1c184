// The MSF 7.0 container of a PDB: superblock, stream directory, and streams assembled from their blocks on demand.

import { ByteSource, bufferSource } from '../byte-source';
import { ByteReader, FormatError } from '../pe/pe-byte-reader';

const MSF_MAGIC = 'Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0';
const NIL_STREAM_SIZE = 0xffffffff;

/**
 * A PDB read through a ByteSource: over a file, only the streams asked for are read, so a PDB larger than memory
 * (or than Node's 2 GiB readFile limit) still loads; over a buffer, contiguous streams are views without a copy.
 */
export class MsfFile {
  readonly source: ByteSource;
  readonly blockSize: number;
  readonly numBlocks: number;
  readonly streamSizes: number[];
  private readonly streamBlocks: Uint32Array[];

  constructor(
    data: Uint8Array | ByteSource,
    readonly fileName: string,
  ) {
    this.source = data instanceof Uint8Array ? bufferSource(data) : data;
    const size = this.source.size;
    const head = this.read(0, Math.min(size, 56), 'the superblock');
    const r = new ByteReader(head, `PDB ${fileName}`);
    if (head.length < 56 || new TextDecoder('latin1').decode(head.subarray(0, 32)) !== MSF_MAGIC) {
      const oldMagic = new TextDecoder('latin1').decode(head.subarray(0, 44));
      if (oldMagic.startsWith('Microsoft C/C++ program database 2.00')) {
        throw new FormatError(`${fileName} is an old-style (MSF 2.0, VC6-era) PDB, which is not supported; rebuild with a current linker`);
      }
      throw new FormatError(`${fileName} is not a PDB (no "Microsoft C/C++ MSF 7.00" signature)`);
    }
    r.seek(32);
    this.blockSize = r.u32();
    r.u32(); // free block map block
    this.numBlocks = r.u32();
    const numDirectoryBytes = r.u32();
    r.u32();
    const blockMapAddr = r.u32();
    if (![512, 1024, 2048, 4096, 8192, 16384, 32768].includes(this.blockSize)) {
      r.fail(`block size ${this.blockSize} is not a power of two from 512 to 32768`);
    }
    if (this.numBlocks * this.blockSize > size) {
      throw new FormatError(
        `PDB ${fileName} is truncated: it claims ${this.numBlocks} blocks of ${this.blockSize} bytes (${this.numBlocks * this.blockSize} bytes) but the file has ${size}`,
      );
    }
    const dirBlockCount = Math.ceil(numDirectoryBytes / this.blockSize);
    if (numDirectoryBytes < 4 || dirBlockCount > this.numBlocks) r.fail(`stream directory size ${numDirectoryBytes} is impossible`);
    if (blockMapAddr >= this.numBlocks) r.fail(`block ${blockMapAddr} is past the last block ${this.numBlocks - 1}`);
    // The block map is read as consecutive bytes from its first block (as LLVM does), so a directory of more than
    // blockSize/4 blocks (a PDB of several GB) still works.
    const map = this.read(blockMapAddr * this.blockSize, dirBlockCount * 4, 'the block map');
    const mapReader = new ByteReader(map, `PDB ${fileName} block map`);
    const dirBlocks = new Uint32Array(dirBlockCount);
    for (let i = 0; i < dirBlockCount; i++) dirBlocks[i] = mapReader.u32();
    const dir = new ByteReader(this.assemble(dirBlocks, numDirectoryBytes, 'stream directory'), `PDB ${fileName} stream directory`);
    const numStreams = dir.u32();
    if (numStreams * 4 > dir.remaining) dir.fail(`it claims ${numStreams} streams`);
    this.streamSizes = [];
    for (let i = 0; i < numStreams; i++) this.streamSizes.push(dir.u32());
    this.streamBlocks = [];
    let totalBlocks = 0;
    for (let i = 0; i < numStreams; i++) {
      const streamSize = this.streamSizes[i] === NIL_STREAM_SIZE ? 0 : this.streamSizes[i];
      const n = Math.ceil(streamSize / this.blockSize);
      totalBlocks += n;
      // Streams never share blocks, so together they cannot need more blocks than the file has.
      if (totalBlocks > this.numBlocks) dir.fail(`stream ${i} of ${streamSize} bytes takes the streams past the file's ${this.numBlocks} blocks`);
      const blocks = new Uint32Array(n);
      for (let j = 0; j < n; j++) {
        blocks[j] = dir.u32();
        if (blocks[j] >= this.numBlocks) dir.fail(`stream ${i} uses block ${blocks[j]} of only ${this.numBlocks}`);
      }
      this.streamBlocks.push(blocks);
    }
  }

  get numStreams(): number {
    return this.streamSizes.length;
  }

  /** Size of the whole file in bytes. */
  get size(): number {
    return this.source.size;
  }

  hasStream(index: number): boolean {
    return index >= 0 && index < this.streamSizes.length && this.streamSizes[index] !== NIL_STREAM_SIZE && index !== 0xffff;
  }

  /** The file blocks a stream occupies, in order (fuzzers aim mutations with it). */
  streamBlockList(index: number): readonly number[] {
    return this.hasStream(index) ? Array.from(this.streamBlocks[index]) : [];
  }

  /** The bytes of a stream; from a buffer, contiguous streams are views on it, others are copied together. */
  stream(index: number, what = `stream ${index}`): Uint8Array {
    if (!this.hasStream(index)) {
      throw new FormatError(`PDB ${this.fileName} is corrupt: ${what} refers to stream ${index}, which does not exist (the PDB has ${this.numStreams})`);
    }
    return this.assemble(this.streamBlocks[index], this.streamSizes[index], what);
  }

  private read(offset: number, length: number, what: string): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.source.size) {
      throw new FormatError(`PDB ${this.fileName} is truncated or corrupt: ${what} (${length} bytes at offset ${offset}) lies past its ${this.source.size} bytes`);
    }
    return this.source.read(offset, length);
  }

  private assemble(blocks: Uint32Array, size: number, what: string): Uint8Array {
    const bs = this.blockSize;
    if (blocks.length === 0) return new Uint8Array(0);
    for (const b of blocks) {
      if (b >= this.numBlocks) throw new FormatError(`PDB ${this.fileName} is corrupt: ${what} uses block ${b} of only ${this.numBlocks}`);
    }
    let contiguous = true;
    for (let i = 1; i < blocks.length && contiguous; i++) contiguous = blocks[i] === blocks[i - 1] + 1;
    if (contiguous) return this.read(blocks[0] * bs, size, what);
    const out = new Uint8Array(size);
    // Runs of consecutive blocks are read in one go: far fewer reads from a file.
    for (let i = 0; i < blocks.length; ) {
      let j = i + 1;
      while (j < blocks.length && blocks[j] === blocks[j - 1] + 1) j++;
      const n = Math.min((j - i) * bs, size - i * bs);
      out.set(this.read(blocks[i] * bs, n, what), i * bs);
      i = j;
    }
    return out;
  }
}
