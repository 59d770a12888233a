// Per-type quality of wafer's GGUF quantisation on stories260K widened to dim and hidden 256 (`wafer synth
// --from models/stories260K/stories260K.bin --seed 1`): each type written by writeGguf (as `wafer quantize`
// does), loaded back, and run on the reference engine teacher-forced along the F32 model's greedy
// continuation of the prompt. Printed, never asserted.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ReferenceLlama, Sampler, WRITABLE_TYPE_NAMES, generateAll, ggufMixLabel, ggufVocabularyOf, loadModel, loadTokenizer,
  padModel, parameterCount, writeGguf,
} from '@wafer/llama';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PROMPT = 'Once upon a time';
const NEW_TOKENS = 64;
const TYPES = WRITABLE_TYPE_NAMES.filter((t) => t !== 'F32');

/** Logits of every position when the model reads `ids` (teacher forcing). */
function logitsAlong(model, ids) {
  const engine = new ReferenceLlama(model);
  return ids.map((id, pos) => Float32Array.from(engine.forward(id, pos)));
}

async function greedy(model, promptIds) {
  const r = await generateAll(new ReferenceLlama(model), promptIds, { maxNewTokens: NEW_TOKENS, sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
  return r.generatedTokens;
}

const tmp = mkdtempSync(join(tmpdir(), 'wafer-bench-quants-'));
try {
  const source = loadModel(join(REPO, 'models/stories260K/stories260K.bin'));
  const padded = padModel(source, 256, 1);
  const vocabulary = ggufVocabularyOf(source);
  const f32Path = join(tmp, 'F32.gguf');
  writeGguf(f32Path, padded, { dtype: 'F32', tokenizer: vocabulary });
  const f32 = loadModel(f32Path);
  const promptIds = loadTokenizer(f32).encode(PROMPT, { bos: true });
  const f32Tokens = await greedy(f32, promptIds);
  const along = [...promptIds, ...f32Tokens].slice(0, -1);
  const reference = logitsAlong(f32, along);
  const params = parameterCount(f32.config);
  console.log(`stories260K widened to dim 256, hidden 256 (seed 1), ${params.toLocaleString('en-US')} weights; prompt ${JSON.stringify(PROMPT)}, ${along.length} positions teacher-forced along F32's greedy tokens; reference engine\n`);
  console.log('| type | file bytes | bits/weight | max abs logit error | RMS logit error | top-1 agrees | greedy tokens equal to F32 |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const type of TYPES) {
    const path = join(tmp, `${type}.gguf`);
    const written = writeGguf(path, padded, { dtype: type, tokenizer: vocabulary });
    const model = loadModel(path);
    const logits = logitsAlong(model, along);
    let maxAbs = 0;
    let squares = 0;
    let count = 0;
    let top1 = 0;
    for (let p = 0; p < along.length; p++) {
      let best = 0;
      let bestRef = 0;
      for (let i = 0; i < logits[p].length; i++) {
        const d = logits[p][i] - reference[p][i];
        maxAbs = Math.max(maxAbs, Math.abs(d));
        squares += d * d;
        count++;
        if (logits[p][i] > logits[p][best]) best = i;
        if (reference[p][i] > reference[p][bestRef]) bestRef = i;
      }
      if (best === bestRef) top1++;
    }
    const tokens = await greedy(model, promptIds);
    let same = 0;
    while (same < tokens.length && tokens[same] === f32Tokens[same]) same++;
    const bytes = statSync(path).size;
    const mix = ggufMixLabel(written.tensors.map((t) => t.dtype)).split(':')[0];
    console.log(`| ${type}${mix === type ? '' : ` (${mix})`} | ${bytes.toLocaleString('en-US')} | ${((8 * bytes) / params).toFixed(2)} | ${maxAbs.toFixed(4)} | ${Math.sqrt(squares / count).toFixed(4)} | ${top1}/${along.length} | ${same === tokens.length && tokens.length === f32Tokens.length ? `all ${same}` : `first ${same} of ${f32Tokens.length}`} |`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
