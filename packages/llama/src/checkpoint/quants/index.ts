// Public API of the ggml block types: codecs by type id, the row-fit fallback, and the IQ4 level table.

export { GGML_CODECS, WRITABLE_TYPE_NAMES, codecByName, typeForRows, type GgmlCodec } from './ggml-codecs.js';
export { IQ4_LEVELS } from './iq4-quants.js';
export { QK_K } from './k-quants-decode.js';
