// Loads the two forms of the engine module from the wasm build's dist/ folder
// the way their consumers do: the Node form with wasmBinary, the browser
// ES module through its manifest (instantiated here from the hashed .wasm
// bytes, since Node cannot stream-fetch a file path).
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

export function distFiles(distFolder) {
  const dist = resolve(distFolder);
  const manifestPath = join(dist, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} is missing: build the WebAssembly module first ` +
      '(cmake --preset wasm && cmake --build --preset wasm), or set SLOTWISE_WASM_DIST');
  }
  return {
    dist,
    manifest: JSON.parse(readFileSync(manifestPath, 'utf8')),
    nodeModule: join(dist, 'slotwise-engine.node.cjs'),
    nodeWasm: join(dist, 'slotwise-engine.node.wasm'),
  };
}

export async function loadNodeEngine(dist) {
  const files = distFiles(dist);
  const createSlotwiseEngine = require(files.nodeModule);
  return createSlotwiseEngine({ wasmBinary: readFileSync(files.nodeWasm) });
}

// Returns the module and the .wasm name the loader asked for.
export async function loadWebEngine(dist) {
  const { dist: folder, manifest } = distFiles(dist);
  const { default: createSlotwiseEngine } = await import(pathToFileURL(join(folder, manifest.module)).href);
  const wasmBytes = readFileSync(join(folder, manifest.wasm));
  const requested = [];
  const engine = await createSlotwiseEngine({
    locateFile: (path, prefix) => { requested.push(path); return prefix + path; },
    instantiateWasm(imports, receiveInstance) {
      WebAssembly.instantiate(wasmBytes, imports).then((r) => receiveInstance(r.instance, r.module));
      return {};
    },
  });
  return { engine, requested };
}
