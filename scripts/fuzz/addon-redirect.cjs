// Preloaded (node --require) into the fuzzer process when the prebuilt Jazzer.js addon cannot load on this
// glibc: loads the compatible copy named by WAFER_JAZZER_ADDON (made by addon-compat.mjs) in its place.
'use strict';
const path = require('node:path');

const replacement = process.env.WAFER_JAZZER_ADDON;
const prebuilt = process.env.WAFER_JAZZER_PREBUILT;
if (replacement && prebuilt) {
  const dlopen = process.dlopen;
  process.dlopen = function (module, filename, ...rest) {
    const swapped = path.resolve(filename) === path.resolve(prebuilt) ? replacement : filename;
    return dlopen.call(process, module, swapped, ...rest);
  };
}
