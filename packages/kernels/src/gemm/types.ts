// Arguments every GEMM core program receives (computed by the host from M, K, N and the mesh).

export interface GemmCoreArgs {
  /** Block sizes of M (rows of A, split along Y), K (split along X for A, along Y for B) and N (along X). */
  mBlocks: number[];
  kBlocks: number[];
  nBlocks: number[];
  /** Names of the placed A and B blocks and of the result C block. */
  a: string;
  b: string;
  out: string;
  /** Prefix of scratch buffers. */
  scratch: string;
  /** First route colour this kernel may use. */
  colors: number;
}
