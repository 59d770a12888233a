// Jazzer.js 4.0.0 ships one Linux x64 addon, linked on a glibc 2.38 / GCC 13 system; Debian 12 (glibc 2.36,
// libstdc++ of GCC 12) refuses to load it. This makes a compatible copy by retargeting its only three newer
// symbol references in the ELF dynamic tables (never touching code), and says where the copy is.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Each retargeted reference: the symbol, the version it needs, and what it becomes.
 * * `__isoc23_strtol/strtoul` (glibc 2.38) differ from `strtol/strtoul` (glibc 2.2.5) only in accepting a
 *   "0b" prefix with base 0 or 2; libFuzzer parses its decimal flags with them.
 * * `_ZSt21ios_base_library_initv` (GLIBCXX_3.4.32) is referenced by GCC 13's <iostream> only to pull in the
 *   library that constructs std::cout; it has no relocation (never called), and libstdc++ 12 constructs
 *   the streams through its own ios_base::Init, so its version is retargeted to one libstdc++ 12 has.
 */
const RETARGETS = [
  { version: 'GLIBC_2.38', to: 'GLIBC_2.2.5', symbols: { __isoc23_strtol: 'strtol', __isoc23_strtoul: 'strtoul' } },
  { version: 'GLIBCXX_3.4.32', to: 'GLIBCXX_3.4.30', symbols: {} },
];

const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DYNSYM_ENTRY_BYTES = 24;

/** The prebuilt addon Jazzer.js loads on this platform. */
export function prebuiltAddonPath() {
  const require = createRequire(import.meta.url);
  const core = dirname(require.resolve('@jazzer.js/core/package.json'));
  const fuzzer = dirname(createRequire(join(core, 'package.json')).resolve('@jazzer.js/fuzzer/package.json'));
  return join(fuzzer, 'prebuilds', `fuzzer-${process.platform}-${process.arch}.node`);
}

/** True when the running glibc is older than the 2.38 the prebuilt addon was linked against. */
export function needsCompatAddon() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  const glibc = process.report.getReport().header.glibcVersionRuntime;
  if (!glibc) return false;
  const [major, minor] = glibc.split('.').map(Number);
  return major < 2 || (major === 2 && minor < 38);
}

/**
 * The path of a loadable addon: the prebuilt one when the system is new enough, else a patched copy under
 * node_modules/.cache (rebuilt when the prebuilt changes). The prebuilt file itself is never modified
 * (pnpm hard-links it from its store).
 */
export function loadableAddonPath(cacheDir) {
  const prebuilt = prebuiltAddonPath();
  if (!needsCompatAddon()) return prebuilt;
  const target = join(cacheDir, 'fuzzer-linux-x64-glibc236.node');
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(prebuilt).mtimeMs) return target;
  mkdirSync(cacheDir, { recursive: true });
  const bytes = Buffer.from(readFileSync(prebuilt));
  retargetSymbolVersions(bytes);
  writeFileSync(`${target}.tmp`, bytes);
  renameSync(`${target}.tmp`, target);
  return target;
}

/** Rewrites RETARGETS in an ELF64 little-endian shared object held in `elf` (in place). */
export function retargetSymbolVersions(elf) {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not an ELF64 little-endian file');
  const sections = sectionHeaders(elf);
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED);
  if (!dynsym || !verneed) throw new Error('no .dynsym or .gnu.version_r section');
  const dynstr = sections[dynsym.link];
  const str = (offset) => elf.toString('latin1', dynstr.offset + offset, elf.indexOf(0, dynstr.offset + offset));
  const strOffset = (s) => {
    const at = elf.indexOf(Buffer.from(`\0${s}\0`, 'latin1'), dynstr.offset);
    if (at < 0 || at >= dynstr.offset + dynstr.size) throw new Error(`no string ${s} in .dynstr`);
    return at + 1 - dynstr.offset;
  };

  for (const { version, to } of RETARGETS) {
    const aux = vernauxByName(elf, verneed, str).get(version);
    if (!aux) continue; // a rebuilt addon may no longer need it
    elf.writeUInt32LE(elfHash(to), aux); // vna_hash
    elf.writeUInt32LE(strOffset(to), aux + 8); // vna_name
  }
  const renames = Object.assign({}, ...RETARGETS.map((r) => r.symbols));
  for (let at = dynsym.offset; at < dynsym.offset + dynsym.size; at += DYNSYM_ENTRY_BYTES) {
    const nameOffset = dynstr.offset + elf.readUInt32LE(at);
    const name = str(elf.readUInt32LE(at));
    const replacement = renames[name];
    if (replacement === undefined) continue;
    // The new name is shorter: write it over the start of the old one (a suffix another symbol shares stays).
    elf.write(`${replacement}\0`, nameOffset, 'latin1');
  }
}

function sectionHeaders(elf) {
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const entryBytes = elf.readUInt16LE(0x3a);
  const count = elf.readUInt16LE(0x3c);
  const out = [];
  for (let i = 0; i < count; i++) {
    const at = shoff + i * entryBytes;
    out.push({
      type: elf.readUInt32LE(at + 4),
      offset: Number(elf.readBigUInt64LE(at + 24)),
      size: Number(elf.readBigUInt64LE(at + 32)),
      link: elf.readUInt32LE(at + 40),
    });
  }
  return out;
}

/** Byte offset of every Elf64_Vernaux record, by version name. */
function vernauxByName(elf, verneed, str) {
  const out = new Map();
  let need = verneed.offset;
  for (;;) {
    const count = elf.readUInt16LE(need + 2);
    let aux = need + elf.readUInt32LE(need + 8);
    for (let i = 0; i < count; i++) {
      out.set(str(elf.readUInt32LE(aux + 8)), aux);
      aux += elf.readUInt32LE(aux + 12);
    }
    const next = elf.readUInt32LE(need + 12);
    if (next === 0) return out;
    need += next;
  }
}

/** The System V ELF hash of a version name (vna_hash). */
function elfHash(name) {
  let h = 0;
  for (const c of Buffer.from(name, 'latin1')) {
    h = ((h << 4) + c) >>> 0;
    const g = h & 0xf0000000;
    if (g !== 0) h ^= g >>> 24;
    h = (h & ~g) >>> 0;
  }
  return h >>> 0;
}
