/*
 * util: monotonic time, bounded strings and checked allocation.
 */
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

double util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void util_rfc3339(const struct timespec *wall, char *out, size_t outlen)
{
	struct tm tm;
	time_t secs = wall->tv_sec;

	gmtime_r(&secs, &tm);
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)(wall->tv_nsec / 1000000));
}

char *util_strlcpy(char *out, const char *src, size_t outlen)
{
	size_t n;

	if (outlen == 0)
		return out;
	if (src == NULL)
		src = "";
	n = strlen(src);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, src, n);
	out[n] = '\0';
	return out;
}

bool util_contains_ci(const char *haystack, const char *needle)
{
	size_t n, i;

	if (haystack == NULL || needle == NULL)
		return false;
	n = strlen(needle);
	for (; *haystack; haystack++) {
		for (i = 0; i < n; i++) {
			if (haystack[i] == '\0' || tolower((unsigned char)haystack[i]) !=
							   tolower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return true;
	}
	return n == 0;
}

static void util_oom(void)
{
	fputs("pgpulse: out of memory\n", stderr);
	abort();
}

void *util_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *util_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *util_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		util_oom();
	return q;
}

char *util_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (p == NULL)
		util_oom();
	return p;
}

bool util_ends_with_ci(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n > 0 && name[n - 1] == '.')
		n--;
	return n > s && strncasecmp(name + n - s, suffix, s) == 0;
}

char *util_fmt_ms(double ms, char *out, size_t outlen)
{
	if (isnan(ms) || ms < 0)
		snprintf(out, outlen, "-");
	else if (ms < 10)
		snprintf(out, outlen, "%.2f ms", ms);
	else if (ms < 1000)
		snprintf(out, outlen, "%.1f ms", ms);
	else
		snprintf(out, outlen, "%.2f s", ms / 1000.0);
	return out;
}

/* Levenshtein distance, ignoring ASCII case, one row of memory. */
int util_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int *row = util_xcalloc(lb + 1, sizeof(int));
	int d;

	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = tolower((unsigned char)a[i - 1]) !=
				   tolower((unsigned char)b[j - 1]);
			int best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

char *util_fmt_seconds(double ms, char *out, size_t outlen)
{
	snprintf(out, outlen, "%gs", ms / 1000.0);
	return out;
}

char *util_fmt_days_left(int days, char *out, size_t outlen)
{
	int n = days < 0 ? -days : days;

	snprintf(out, outlen, "%d day%s %s", n, n == 1 ? "" : "s", days < 0 ? "ago" : "left");
	return out;
}

/* FNV-1a: keys are short, and a collision costs a probe, not a mismatch. */
uint64_t util_hash(const char *key)
{
	uint64_t x = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		x = (x ^ *p) * 1099511628211ULL;
	return x;
}
