/*
 * util: the few helpers every module needs: monotonic time in
 * milliseconds, bounded string copies, allocation that fails loudly, and
 * the formats of durations and days that every front-end shares.
 */
#ifndef PGPULSE_UTIL_H
#define PGPULSE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC, as a double with sub-ms precision. */
double util_now_ms(void);
/* Wall clock for timestamps: RFC 3339 UTC with milliseconds into out. */
void util_rfc3339(const struct timespec *wall, char *out, size_t outlen);

/* Copies at most outlen-1 bytes and always terminates. Returns out. */
char *util_strlcpy(char *out, const char *src, size_t outlen);
/* Lower-cases ASCII and compares; true when haystack contains needle. */
bool util_contains_ci(const char *haystack, const char *needle);

void *util_xmalloc(size_t n);
void *util_xcalloc(size_t n, size_t size);
void *util_xrealloc(void *p, size_t n);
char *util_xstrdup(const char *s);

/* Host names: name ends with suffix, ignoring case and one trailing dot, with something before it.
 */
bool util_ends_with_ci(const char *name, const char *suffix);

/* Edit distance between two words, ignoring ASCII case ("did you mean"). */
int util_edit_distance(const char *a, const char *b);
/* FNV-1a over a string, for the open-addressing tables (holders, scheduler). */
uint64_t util_hash(const char *key);

/* Formats a duration in ms for humans: "0.42 ms", "12.3 ms", "1.20 s". */
char *util_fmt_ms(double ms, char *out, size_t outlen);
/* A deadline as settings show it: "10s", "2.5s" (connect_timeout everywhere). */
char *util_fmt_seconds(double ms, char *out, size_t outlen);
/* A certificate's expiry from now: "30 days left", "1 day left", "3 days ago". */
char *util_fmt_days_left(int days, char *out, size_t outlen);

#endif
