// Kernel comparison: `wafer kernel compare` for a 256×256×256 GEMM and a [1×256]·[256×256] GEMV on the wse2
// preset, meshes 8² to 64² (modeled cycles are deterministic; wall time is not reported here).
import { main } from '@wafer/cli';

const quick = process.argv.includes('--quick');
const code = await main(['kernel', 'compare', '--mesh', quick ? '8,16' : '8,16,32,64', '--k', '256', '--n', '256', '--threads', '2', '--machine', 'wse2']);
process.exitCode = code;
