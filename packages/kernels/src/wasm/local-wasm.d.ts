// Types of dist/wasm/local-wasm.js, which scripts/build-wasm.mjs generates from local.wat.
/** The local kernels' WebAssembly module (local.wat, assembled). */
export declare const LOCAL_WASM: Uint8Array;
