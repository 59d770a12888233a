// Progress on a terminal while a model's weights are placed on the mesh (cli-progress, on stderr only,
// and only when stderr is a TTY, so logs, pipes and --json output stay clean).
import cliProgress from 'cli-progress';

/** A bar over the layers being placed: decode weights (`L<n>.*`), then prefill weights (`P<n>.*`). */
export function placementProgress(nLayers: number, enabled: boolean): { onPlace: (name: string) => void; stop: () => void } | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '[wafer] placing {stage} [{bar}] {value}/{total} layers', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let stage = '';
  let done = -1;
  bar.start(nLayers, 0, { stage: 'decode weights' });
  return {
    onPlace(name: string) {
      const m = /^([LP])(\d+)\./.exec(name);
      if (m === null) return;
      const s = m[1] === 'L' ? 'decode weights' : 'prefill weights';
      if (s !== stage) {
        stage = s;
        done = -1;
        bar.update(0, { stage });
      }
      const layer = Number(m[2]);
      if (layer > done) {
        done = layer;
        bar.update(layer + 1, { stage });
      }
    },
    stop: () => bar.stop(),
  };
}
