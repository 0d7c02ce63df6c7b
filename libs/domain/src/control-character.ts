/**
 * Any control character (C0, DEL, C1): never allowed in a name, a URL or a header value
 * the API stores. WHATWG URL parsing drops tab, CR and LF silently, and CR/LF in a
 * header or a broker name would split it; one rule for every field that refuses them.
 */
export const CONTROL_CHARACTER = /\p{Cc}/u;
