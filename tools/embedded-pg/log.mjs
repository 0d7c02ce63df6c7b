// The one voice of the embedded PostgreSQL launcher on stderr: every line it says (what was
// placed where, which leftover was cleared) starts with `[embedded-pg]`, as its errors do.

export const say = (message) => console.error(`[embedded-pg] ${message}`);
