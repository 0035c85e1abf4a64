import { BYTE_SCAN_WASM } from './wasm.js';

// @types/node 20 does not declare WebAssembly: the parts used here.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

const PAGE = 65536;
let compiled: WebAssembly.Module | undefined;

/**
 * An instance of the byte-scan module (assembly/index.ts) with a memory of its own (the module is
 * compiled once per thread) and a byte view of that memory, made anew whenever the memory grows. Each
 * user of the module extends it and lays out the memory its functions read.
 */
export class ModuleInstance {
  protected readonly exports: Record<string, unknown>;
  protected readonly memory: WebAssembly.Memory;
  protected bytes: Buffer;

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(BYTE_SCAN_WASM, 'base64'));
    this.exports = new WebAssembly.Instance(compiled).exports;
    this.memory = this.exports.memory as WebAssembly.Memory;
    this.bytes = Buffer.from(this.memory.buffer);
  }

  /** Grows the memory to hold at least `size` bytes (`bytes` is then a view of the new memory). */
  protected reserve(size: number): void {
    const have = this.memory.buffer.byteLength;
    if (size <= have) return;
    this.memory.grow(Math.ceil((size - have) / PAGE));
    this.bytes = Buffer.from(this.memory.buffer);
  }
}

/** `n` rounded up to a multiple of 16, where the module's vectors like their data. */
export const align = (n: number) => Math.ceil(n / 16) * 16;
