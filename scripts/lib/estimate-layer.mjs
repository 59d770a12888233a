// The analytical model's cycles for one decode layer laid out exactly as the emulator runs it.
import { decodeLayer, shapeFromLlamaConfig } from '@wafer/perf';

/** config: a LlamaConfig (already padded / single-headed for the paper convention); mesh: square. */
export function estimateDecodeLayer(machine, config, mesh, context) {
  return decodeLayer(machine, shapeFromLlamaConfig(config, 'scale-check'), { mesh: mesh.rows, context, convention: 'real' }).totalCycles;
}
