// Types of the Slotwise engine's WebAssembly module (hand-written; the module
// is built by bindings/CMakeLists.txt). Every string in and out is the JSON
// text of shared/spec/engine.md and cli.md; bad input is answered with
// {"error": {"code", "message", "path"}} text, never an exception.
//
// Browser:  import createSlotwiseEngine from './slotwise-engine.<hash8>.mjs';
//           const engine = await createSlotwiseEngine();
// Node:     const createSlotwiseEngine = require('./slotwise-engine.node.cjs');
//           const engine = await createSlotwiseEngine({
//             wasmBinary: fs.readFileSync('slotwise-engine.node.wasm') });

/** One provider's snapshot, parsed once, answering many queries. */
export interface Engine {
  /** Slots query JSON in, `{"time_zone", "slots": [...]}` or error JSON out. */
  slots(queryJson: string): string;
  /**
   * The same query as slots(), answered as numbers instead of JSON text: six
   * int32 per slot, in order `start`, `end` (minutes since
   * 1970-01-01T00:00Z), `local_date` (days since 1970-01-01), `local_start`,
   * `local_end` (minutes since their local midnight), `utc_offset` (minutes).
   * A JS-owned copy. Errors come as the error JSON text slots() gives.
   * web/src/engine.js `decodeSlots`/`querySlots` turn it into slots()'s
   * slot objects, byte for byte.
   */
  slotsCompact(queryJson: string): Int32Array | string;
  /** Validation request JSON in, `{"ok": true}`, `{"ok": false, "code"}` or error JSON out. */
  validate(requestJson: string): string;
  /** Frees the parsed snapshot. WebAssembly memory is not garbage-collected: call this once done. */
  delete(): void;
  isDeleted(): boolean;
}

export interface EngineConstructor {
  /**
   * Parses the snapshot JSON. A snapshot that breaks engine.md is kept as its
   * INVALID_SNAPSHOT (or other) error, which every query then returns.
   */
  new (snapshotJson: string): Engine;
}

export interface SlotwiseEngine {
  Engine: EngineConstructor;
  /** Refund input JSON (cli.md) in, `{"refund": N}` or error JSON out. */
  refund(refundJson: string): string;
  /** One line of cli.md's batch protocol in, its answer line out (no newline). */
  run(line: string): string;
  /** Every zone and link name the module's tz data knows. */
  zones(): string[];
  /** The IANA tz release the module's zone data was compiled from, e.g. "2025b". */
  tzVersion(): string;
}

export interface SlotwiseEngineOptions {
  /** The .wasm bytes; required in Node (see bindings/README.md). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch the .wasm from; by default next to the module. */
  locateFile?: (path: string, scriptDirectory: string) => string;
  /** Custom instantiation (e.g. from a cached WebAssembly.Module). */
  instantiateWasm?: (
    imports: WebAssembly.Imports,
    receiveInstance: (instance: WebAssembly.Instance, module?: WebAssembly.Module) => void,
  ) => WebAssembly.Exports | {};
  print?: (text: string) => void;
  printErr?: (text: string) => void;
  onAbort?: (reason: unknown) => void;
}

/** Instantiates a new module (its own memory); resolves once zone data and bindings are ready. */
declare function createSlotwiseEngine(options?: SlotwiseEngineOptions): Promise<SlotwiseEngine>;
export default createSlotwiseEngine;
