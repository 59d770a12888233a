// A one-line summary of a file's tensor types, named after the llama.cpp quantisation mix it resembles:
// "Q4_K_M-like: 180 Q4_K, 36 Q6_K, 73 F32".

/** Types that are plain floats rather than quantised blocks. */
const FLOAT_TYPES = new Set(['F32', 'F16', 'BF16']);

/**
 * llama.cpp's mixed K-quant file types, by (main type, secondary type): a file mostly of the main type with
 * some tensors of the secondary one is named like the llama.cpp mix that produces that pattern.
 */
const MIX_NAMES: ReadonlyArray<{ main: string; secondary: string; name: string }> = [
  { main: 'Q4_K', secondary: 'Q6_K', name: 'Q4_K_M' },
  { main: 'Q4_K', secondary: 'Q5_K', name: 'Q4_K_S' },
  { main: 'Q5_K', secondary: 'Q6_K', name: 'Q5_K_M' },
  { main: 'Q3_K', secondary: 'Q5_K', name: 'Q3_K_L' },
  { main: 'Q3_K', secondary: 'Q4_K', name: 'Q3_K_M' },
  { main: 'Q2_K', secondary: 'Q4_K', name: 'Q2_K' },
  { main: 'Q2_K', secondary: 'Q3_K', name: 'Q2_K' },
];

/**
 * Summarises the types of a file's tensors: the counts, most common first, after a label: the llama.cpp mix
 * they resemble ("Q4_K_M-like"), else the most common quantised type, else the most common float type.
 */
export function ggufMixLabel(types: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const quantised = ranked.filter(([type]) => !FLOAT_TYPES.has(type)).map(([type]) => type);
  const main = quantised[0] ?? ranked[0]?.[0] ?? 'empty';
  const mix = MIX_NAMES.find((m) => m.main === main && quantised.includes(m.secondary));
  const label = mix ? `${mix.name}-like` : main;
  return `${label}: ${ranked.map(([type, n]) => `${n} ${type}`).join(', ')}`;
}
