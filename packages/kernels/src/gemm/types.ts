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
  /**
   * Cannon family only: B is placed unskewed (core (x, y) holds B block (y, x), e.g. a matrix produced on
   * chip with its rows along Y) and is aligned on chip, mirroring A. Default false: the host pre-skews B.
   */
  alignB?: boolean;
}
