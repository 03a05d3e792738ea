/**
 * Unicode 15.0.0 general categories N (numbers), P (punctuation) and S (symbols) as regex class bodies, for the
 * `intl` tokenizer. sacreBLEU 2.6.0 matches `\p{N}`, `\p{P}` and `\p{S}` with the `regex` module 2022.10.31,
 * whose tables are Unicode 15.0.0; JS `\p{…}` follows the runtime's ICU (Unicode 17 on Node 20.20), which has 93
 * more N, 14 more P and 847 more S code points (newer digits, emoji, symbols). Generated from the
 * `@unicode/unicode-15.0.0` npm package (General_Category/{Number,Punctuation,Symbol}/code-points, collapsed to
 * ranges); every code point those list is also in the runtime's class, so nothing else differs.
 */

/** Code points of General_Category=Number in Unicode 15.0.0. */
export const UNICODE15_N: string =
  "\\u0030-\\u0039\\u00b2-\\u00b3\\u00b9\\u00bc-\\u00be\\u0660-\\u0669\\u06f0-\\u06f9\\u07c0-\\u07c9\\u0966-" +
  "\\u096f\\u09e6-\\u09ef\\u09f4-\\u09f9\\u0a66-\\u0a6f\\u0ae6-\\u0aef\\u0b66-\\u0b6f\\u0b72-\\u0b77\\u0be6-" +
  "\\u0bf2\\u0c66-\\u0c6f\\u0c78-\\u0c7e\\u0ce6-\\u0cef\\u0d58-\\u0d5e\\u0d66-\\u0d78\\u0de6-\\u0def\\u0e50-" +
  "\\u0e59\\u0ed0-\\u0ed9\\u0f20-\\u0f33\\u1040-\\u1049\\u1090-\\u1099\\u1369-\\u137c\\u16ee-\\u16f0\\u17e0-" +
  "\\u17e9\\u17f0-\\u17f9\\u1810-\\u1819\\u1946-\\u194f\\u19d0-\\u19da\\u1a80-\\u1a89\\u1a90-\\u1a99\\u1b50-" +
  "\\u1b59\\u1bb0-\\u1bb9\\u1c40-\\u1c49\\u1c50-\\u1c59\\u2070\\u2074-\\u2079\\u2080-\\u2089\\u2150-\\u2182" +
  "\\u2185-\\u2189\\u2460-\\u249b\\u24ea-\\u24ff\\u2776-\\u2793\\u2cfd\\u3007\\u3021-\\u3029\\u3038-\\u303a" +
  "\\u3192-\\u3195\\u3220-\\u3229\\u3248-\\u324f\\u3251-\\u325f\\u3280-\\u3289\\u32b1-\\u32bf\\ua620-\\ua629" +
  "\\ua6e6-\\ua6ef\\ua830-\\ua835\\ua8d0-\\ua8d9\\ua900-\\ua909\\ua9d0-\\ua9d9\\ua9f0-\\ua9f9\\uaa50-\\uaa59" +
  "\\uabf0-\\uabf9\\uff10-\\uff19\\u{10107}-\\u{10133}\\u{10140}-\\u{10178}\\u{1018a}-\\u{1018b}\\u{102e1}-" +
  "\\u{102fb}\\u{10320}-\\u{10323}\\u{10341}\\u{1034a}\\u{103d1}-\\u{103d5}\\u{104a0}-\\u{104a9}\\u{10858}-" +
  "\\u{1085f}\\u{10879}-\\u{1087f}\\u{108a7}-\\u{108af}\\u{108fb}-\\u{108ff}\\u{10916}-\\u{1091b}\\u{109bc}-" +
  "\\u{109bd}\\u{109c0}-\\u{109cf}\\u{109d2}-\\u{109ff}\\u{10a40}-\\u{10a48}\\u{10a7d}-\\u{10a7e}\\u{10a9d}-" +
  "\\u{10a9f}\\u{10aeb}-\\u{10aef}\\u{10b58}-\\u{10b5f}\\u{10b78}-\\u{10b7f}\\u{10ba9}-\\u{10baf}\\u{10cfa}-" +
  "\\u{10cff}\\u{10d30}-\\u{10d39}\\u{10e60}-\\u{10e7e}\\u{10f1d}-\\u{10f26}\\u{10f51}-\\u{10f54}\\u{10fc5}-" +
  "\\u{10fcb}\\u{11052}-\\u{1106f}\\u{110f0}-\\u{110f9}\\u{11136}-\\u{1113f}\\u{111d0}-\\u{111d9}\\u{111e1}-" +
  "\\u{111f4}\\u{112f0}-\\u{112f9}\\u{11450}-\\u{11459}\\u{114d0}-\\u{114d9}\\u{11650}-\\u{11659}\\u{116c0}-" +
  "\\u{116c9}\\u{11730}-\\u{1173b}\\u{118e0}-\\u{118f2}\\u{11950}-\\u{11959}\\u{11c50}-\\u{11c6c}\\u{11d50}-" +
  "\\u{11d59}\\u{11da0}-\\u{11da9}\\u{11f50}-\\u{11f59}\\u{11fc0}-\\u{11fd4}\\u{12400}-\\u{1246e}\\u{16a60}-" +
  "\\u{16a69}\\u{16ac0}-\\u{16ac9}\\u{16b50}-\\u{16b59}\\u{16b5b}-\\u{16b61}\\u{16e80}-\\u{16e96}\\u{1d2c0}-" +
  "\\u{1d2d3}\\u{1d2e0}-\\u{1d2f3}\\u{1d360}-\\u{1d378}\\u{1d7ce}-\\u{1d7ff}\\u{1e140}-\\u{1e149}\\u{1e2f0}-" +
  "\\u{1e2f9}\\u{1e4f0}-\\u{1e4f9}\\u{1e8c7}-\\u{1e8cf}\\u{1e950}-\\u{1e959}\\u{1ec71}-\\u{1ecab}\\u{1ecad}-" +
  "\\u{1ecaf}\\u{1ecb1}-\\u{1ecb4}\\u{1ed01}-\\u{1ed2d}\\u{1ed2f}-\\u{1ed3d}\\u{1f100}-\\u{1f10c}\\u{1fbf0}-" +
  "\\u{1fbf9}";

/** Code points of General_Category=Punctuation in Unicode 15.0.0. */
export const UNICODE15_P: string =
  "\\u0021-\\u0023\\u0025-\\u002a\\u002c-\\u002f\\u003a-\\u003b\\u003f-\\u0040\\u005b-\\u005d\\u005f\\u007b\\u007d" +
  "\\u00a1\\u00a7\\u00ab\\u00b6-\\u00b7\\u00bb\\u00bf\\u037e\\u0387\\u055a-\\u055f\\u0589-\\u058a\\u05be\\u05c0" +
  "\\u05c3\\u05c6\\u05f3-\\u05f4\\u0609-\\u060a\\u060c-\\u060d\\u061b\\u061d-\\u061f\\u066a-\\u066d\\u06d4\\u0700-" +
  "\\u070d\\u07f7-\\u07f9\\u0830-\\u083e\\u085e\\u0964-\\u0965\\u0970\\u09fd\\u0a76\\u0af0\\u0c77\\u0c84\\u0df4" +
  "\\u0e4f\\u0e5a-\\u0e5b\\u0f04-\\u0f12\\u0f14\\u0f3a-\\u0f3d\\u0f85\\u0fd0-\\u0fd4\\u0fd9-\\u0fda\\u104a-\\u104f" +
  "\\u10fb\\u1360-\\u1368\\u1400\\u166e\\u169b-\\u169c\\u16eb-\\u16ed\\u1735-\\u1736\\u17d4-\\u17d6\\u17d8-\\u17da" +
  "\\u1800-\\u180a\\u1944-\\u1945\\u1a1e-\\u1a1f\\u1aa0-\\u1aa6\\u1aa8-\\u1aad\\u1b5a-\\u1b60\\u1b7d-\\u1b7e" +
  "\\u1bfc-\\u1bff\\u1c3b-\\u1c3f\\u1c7e-\\u1c7f\\u1cc0-\\u1cc7\\u1cd3\\u2010-\\u2027\\u2030-\\u2043\\u2045-" +
  "\\u2051\\u2053-\\u205e\\u207d-\\u207e\\u208d-\\u208e\\u2308-\\u230b\\u2329-\\u232a\\u2768-\\u2775\\u27c5-" +
  "\\u27c6\\u27e6-\\u27ef\\u2983-\\u2998\\u29d8-\\u29db\\u29fc-\\u29fd\\u2cf9-\\u2cfc\\u2cfe-\\u2cff\\u2d70" +
  "\\u2e00-\\u2e2e\\u2e30-\\u2e4f\\u2e52-\\u2e5d\\u3001-\\u3003\\u3008-\\u3011\\u3014-\\u301f\\u3030\\u303d\\u30a0" +
  "\\u30fb\\ua4fe-\\ua4ff\\ua60d-\\ua60f\\ua673\\ua67e\\ua6f2-\\ua6f7\\ua874-\\ua877\\ua8ce-\\ua8cf\\ua8f8-\\ua8fa" +
  "\\ua8fc\\ua92e-\\ua92f\\ua95f\\ua9c1-\\ua9cd\\ua9de-\\ua9df\\uaa5c-\\uaa5f\\uaade-\\uaadf\\uaaf0-\\uaaf1\\uabeb" +
  "\\ufd3e-\\ufd3f\\ufe10-\\ufe19\\ufe30-\\ufe52\\ufe54-\\ufe61\\ufe63\\ufe68\\ufe6a-\\ufe6b\\uff01-\\uff03" +
  "\\uff05-\\uff0a\\uff0c-\\uff0f\\uff1a-\\uff1b\\uff1f-\\uff20\\uff3b-\\uff3d\\uff3f\\uff5b\\uff5d\\uff5f-\\uff65" +
  "\\u{10100}-\\u{10102}\\u{1039f}\\u{103d0}\\u{1056f}\\u{10857}\\u{1091f}\\u{1093f}\\u{10a50}-\\u{10a58}" +
  "\\u{10a7f}\\u{10af0}-\\u{10af6}\\u{10b39}-\\u{10b3f}\\u{10b99}-\\u{10b9c}\\u{10ead}\\u{10f55}-\\u{10f59}" +
  "\\u{10f86}-\\u{10f89}\\u{11047}-\\u{1104d}\\u{110bb}-\\u{110bc}\\u{110be}-\\u{110c1}\\u{11140}-\\u{11143}" +
  "\\u{11174}-\\u{11175}\\u{111c5}-\\u{111c8}\\u{111cd}\\u{111db}\\u{111dd}-\\u{111df}\\u{11238}-\\u{1123d}" +
  "\\u{112a9}\\u{1144b}-\\u{1144f}\\u{1145a}-\\u{1145b}\\u{1145d}\\u{114c6}\\u{115c1}-\\u{115d7}\\u{11641}-" +
  "\\u{11643}\\u{11660}-\\u{1166c}\\u{116b9}\\u{1173c}-\\u{1173e}\\u{1183b}\\u{11944}-\\u{11946}\\u{119e2}" +
  "\\u{11a3f}-\\u{11a46}\\u{11a9a}-\\u{11a9c}\\u{11a9e}-\\u{11aa2}\\u{11b00}-\\u{11b09}\\u{11c41}-\\u{11c45}" +
  "\\u{11c70}-\\u{11c71}\\u{11ef7}-\\u{11ef8}\\u{11f43}-\\u{11f4f}\\u{11fff}\\u{12470}-\\u{12474}\\u{12ff1}-" +
  "\\u{12ff2}\\u{16a6e}-\\u{16a6f}\\u{16af5}\\u{16b37}-\\u{16b3b}\\u{16b44}\\u{16e97}-\\u{16e9a}\\u{16fe2}" +
  "\\u{1bc9f}\\u{1da87}-\\u{1da8b}\\u{1e95e}-\\u{1e95f}";

/** Code points of General_Category=Symbol in Unicode 15.0.0. */
export const UNICODE15_S: string =
  "\\u0024\\u002b\\u003c-\\u003e\\u005e\\u0060\\u007c\\u007e\\u00a2-\\u00a6\\u00a8-\\u00a9\\u00ac\\u00ae-\\u00b1" +
  "\\u00b4\\u00b8\\u00d7\\u00f7\\u02c2-\\u02c5\\u02d2-\\u02df\\u02e5-\\u02eb\\u02ed\\u02ef-\\u02ff\\u0375\\u0384-" +
  "\\u0385\\u03f6\\u0482\\u058d-\\u058f\\u0606-\\u0608\\u060b\\u060e-\\u060f\\u06de\\u06e9\\u06fd-\\u06fe\\u07f6" +
  "\\u07fe-\\u07ff\\u0888\\u09f2-\\u09f3\\u09fa-\\u09fb\\u0af1\\u0b70\\u0bf3-\\u0bfa\\u0c7f\\u0d4f\\u0d79\\u0e3f" +
  "\\u0f01-\\u0f03\\u0f13\\u0f15-\\u0f17\\u0f1a-\\u0f1f\\u0f34\\u0f36\\u0f38\\u0fbe-\\u0fc5\\u0fc7-\\u0fcc\\u0fce-" +
  "\\u0fcf\\u0fd5-\\u0fd8\\u109e-\\u109f\\u1390-\\u1399\\u166d\\u17db\\u1940\\u19de-\\u19ff\\u1b61-\\u1b6a\\u1b74-" +
  "\\u1b7c\\u1fbd\\u1fbf-\\u1fc1\\u1fcd-\\u1fcf\\u1fdd-\\u1fdf\\u1fed-\\u1fef\\u1ffd-\\u1ffe\\u2044\\u2052\\u207a-" +
  "\\u207c\\u208a-\\u208c\\u20a0-\\u20c0\\u2100-\\u2101\\u2103-\\u2106\\u2108-\\u2109\\u2114\\u2116-\\u2118" +
  "\\u211e-\\u2123\\u2125\\u2127\\u2129\\u212e\\u213a-\\u213b\\u2140-\\u2144\\u214a-\\u214d\\u214f\\u218a-\\u218b" +
  "\\u2190-\\u2307\\u230c-\\u2328\\u232b-\\u2426\\u2440-\\u244a\\u249c-\\u24e9\\u2500-\\u2767\\u2794-\\u27c4" +
  "\\u27c7-\\u27e5\\u27f0-\\u2982\\u2999-\\u29d7\\u29dc-\\u29fb\\u29fe-\\u2b73\\u2b76-\\u2b95\\u2b97-\\u2bff" +
  "\\u2ce5-\\u2cea\\u2e50-\\u2e51\\u2e80-\\u2e99\\u2e9b-\\u2ef3\\u2f00-\\u2fd5\\u2ff0-\\u2ffb\\u3004\\u3012-" +
  "\\u3013\\u3020\\u3036-\\u3037\\u303e-\\u303f\\u309b-\\u309c\\u3190-\\u3191\\u3196-\\u319f\\u31c0-\\u31e3" +
  "\\u3200-\\u321e\\u322a-\\u3247\\u3250\\u3260-\\u327f\\u328a-\\u32b0\\u32c0-\\u33ff\\u4dc0-\\u4dff\\ua490-" +
  "\\ua4c6\\ua700-\\ua716\\ua720-\\ua721\\ua789-\\ua78a\\ua828-\\ua82b\\ua836-\\ua839\\uaa77-\\uaa79\\uab5b" +
  "\\uab6a-\\uab6b\\ufb29\\ufbb2-\\ufbc2\\ufd40-\\ufd4f\\ufdcf\\ufdfc-\\ufdff\\ufe62\\ufe64-\\ufe66\\ufe69\\uff04" +
  "\\uff0b\\uff1c-\\uff1e\\uff3e\\uff40\\uff5c\\uff5e\\uffe0-\\uffe6\\uffe8-\\uffee\\ufffc-\\ufffd\\u{10137}-" +
  "\\u{1013f}\\u{10179}-\\u{10189}\\u{1018c}-\\u{1018e}\\u{10190}-\\u{1019c}\\u{101a0}\\u{101d0}-\\u{101fc}" +
  "\\u{10877}-\\u{10878}\\u{10ac8}\\u{1173f}\\u{11fd5}-\\u{11ff1}\\u{16b3c}-\\u{16b3f}\\u{16b45}\\u{1bc9c}" +
  "\\u{1cf50}-\\u{1cfc3}\\u{1d000}-\\u{1d0f5}\\u{1d100}-\\u{1d126}\\u{1d129}-\\u{1d164}\\u{1d16a}-\\u{1d16c}" +
  "\\u{1d183}-\\u{1d184}\\u{1d18c}-\\u{1d1a9}\\u{1d1ae}-\\u{1d1ea}\\u{1d200}-\\u{1d241}\\u{1d245}\\u{1d300}-" +
  "\\u{1d356}\\u{1d6c1}\\u{1d6db}\\u{1d6fb}\\u{1d715}\\u{1d735}\\u{1d74f}\\u{1d76f}\\u{1d789}\\u{1d7a9}" +
  "\\u{1d7c3}\\u{1d800}-\\u{1d9ff}\\u{1da37}-\\u{1da3a}\\u{1da6d}-\\u{1da74}\\u{1da76}-\\u{1da83}\\u{1da85}-" +
  "\\u{1da86}\\u{1e14f}\\u{1e2ff}\\u{1ecac}\\u{1ecb0}\\u{1ed2e}\\u{1eef0}-\\u{1eef1}\\u{1f000}-\\u{1f02b}" +
  "\\u{1f030}-\\u{1f093}\\u{1f0a0}-\\u{1f0ae}\\u{1f0b1}-\\u{1f0bf}\\u{1f0c1}-\\u{1f0cf}\\u{1f0d1}-\\u{1f0f5}" +
  "\\u{1f10d}-\\u{1f1ad}\\u{1f1e6}-\\u{1f202}\\u{1f210}-\\u{1f23b}\\u{1f240}-\\u{1f248}\\u{1f250}-\\u{1f251}" +
  "\\u{1f260}-\\u{1f265}\\u{1f300}-\\u{1f6d7}\\u{1f6dc}-\\u{1f6ec}\\u{1f6f0}-\\u{1f6fc}\\u{1f700}-\\u{1f776}" +
  "\\u{1f77b}-\\u{1f7d9}\\u{1f7e0}-\\u{1f7eb}\\u{1f7f0}\\u{1f800}-\\u{1f80b}\\u{1f810}-\\u{1f847}\\u{1f850}-" +
  "\\u{1f859}\\u{1f860}-\\u{1f887}\\u{1f890}-\\u{1f8ad}\\u{1f8b0}-\\u{1f8b1}\\u{1f900}-\\u{1fa53}\\u{1fa60}-" +
  "\\u{1fa6d}\\u{1fa70}-\\u{1fa7c}\\u{1fa80}-\\u{1fa88}\\u{1fa90}-\\u{1fabd}\\u{1fabf}-\\u{1fac5}\\u{1face}-" +
  "\\u{1fadb}\\u{1fae0}-\\u{1fae8}\\u{1faf0}-\\u{1faf8}\\u{1fb00}-\\u{1fb92}\\u{1fb94}-\\u{1fbca}";
