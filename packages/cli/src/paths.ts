// Repository-relative locations the CLI needs: bundled models and machine presets.
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/cli/dist/paths.js once built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_MODEL = `${REPO_ROOT}models/stories260K/stories260K.bin`;
export const MACHINES_DIR = `${REPO_ROOT}configs/machines/`;
