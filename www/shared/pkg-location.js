// Where the wasm package is, relative to this file: the repository's pkg/, beside www/. The
// plain-files folder for authors (scripts/pack-elements.mjs) holds pkg/ beside shared/, and
// rewrites this one line to say so.
export const PKG_URL = new URL('../../pkg/', import.meta.url);
