/*
 * dsn_priv: what dsn.c (parsing) takes from dsn_mask.c (finding and
 * masking passwords, scrubbing libpq's messages) besides the public
 * dsn_mask_password and dsn_blank_in_place: the string builder and the
 * URI and conninfo scanning both need. Not for other modules.
 */
#ifndef PGPULSE_DSN_PRIV_H
#define PGPULSE_DSN_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#define DSN_MASK "***"

/* A growable string for the builders below. */
struct dsn_buf {
	char *s;
	size_t len;
	size_t cap;
};

void dsn_buf_add(struct dsn_buf *b, const char *s, size_t n);
void dsn_buf_puts(struct dsn_buf *b, const char *s);
void dsn_buf_putc(struct dsn_buf *b, char c);
char *dsn_buf_take(struct dsn_buf *b);
bool dsn_is_alnum(unsigned char c);
bool dsn_is_space(unsigned char c);
void dsn_buf_encode(struct dsn_buf *b, const char *s, const char *keep);
char *dsn_pct_decode(const char *s, size_t n);
size_t dsn_scheme_len(const char *s);
size_t dsn_userinfo_end(const char *s, size_t auth);
size_t dsn_skip_space(const char *s);
char *dsn_scrub(const char *msg, const char *const *inputs, size_t ninputs);

#endif
