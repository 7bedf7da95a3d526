/*
 * libFuzzer harness for target parsing and masking, with a leak oracle:
 * whatever password libpq would send for the input must not show in the
 * display form, the name, the masked form, the blanked argv form or an
 * error message. Also pins that every call returns (linear time: the run
 * fails on a timeout).
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsn.h"

/* libFuzzer's -max_len bounds the input; a pasted target is never bigger. */
#define FUZZ_DSN_MAX 4096

static size_t fuzz_count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* What pgpulse shows of one input. */
struct fuzz_dsn_view {
	bool ok;
	char *out[4]; /* display, name, masked, blanked argv */
	char *password, *sslpassword;
};

static const char *const fuzz_what[] = { "display", "name", "dsn_mask_password", "argv" };

static void fuzz_view(const char *input, struct fuzz_dsn_view *v)
{
	struct dsn_target t;
	char err[1024];

	memset(v, 0, sizeof(*v));
	v->ok = dsn_parse(input, NULL, &t, err, sizeof(err));
	if (v->ok) {
		v->out[0] = strdup(t.display);
		v->out[1] = strdup(t.name);
		if (dsn_get(&t, "password"))
			v->password = strdup(dsn_get(&t, "password"));
		if (dsn_get(&t, "sslpassword"))
			v->sslpassword = strdup(dsn_get(&t, "sslpassword"));
		dsn_free(&t);
	} else {
		v->out[0] = strdup(err);
		v->out[1] = strdup("");
	}
	v->out[2] = dsn_mask_password(input);
	v->out[3] = strdup(input);
	dsn_blank_in_place(v->out[3], v->out[2]);
}

static void fuzz_view_free(struct fuzz_dsn_view *v)
{
	for (int i = 0; i < 4; i++)
		free(v->out[i]);
	free(v->password);
	free(v->sslpassword);
}

/*
 * Whether a character of the password was typed %-encoded: then the text
 * found in the input ("//u" of "postgres://u" for "%2F%2Fu") need not be
 * where the password was typed.
 */
static bool fuzz_pct_typed(const char *input, const char *password)
{
	for (const char *c = password; *c; c++) {
		char hex[4];

		snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*c);
		if (strcasestr(input, hex))
			return true;
	}
	return false;
}

/*
 * A password the input holds once (and with no '*', which the mask "***"
 * beside its own text can complete) is a leak wherever an output shows it
 * more often than the output of the same input with that password replaced
 * by 'Q's: what remains is a coincidence ("host" as a password and as a
 * keyword of the display), not a leak.
 */
static void fuzz_no_leak(const char *input, const struct fuzz_dsn_view *v, const char *password)
{
	struct fuzz_dsn_view w;
	const char *at;
	char *other;
	size_t n;

	if (password == NULL || (n = strlen(password)) < 3 || fuzz_count(input, password) != 1 ||
	    fuzz_pct_typed(input, password) || strchr(password, '*') != NULL)
		return;
	at = strstr(input, password);
	other = strdup(input);
	memset(other + (at - input), 'Q', n);
	fuzz_view(other, &w);
	for (int i = 0; i < 4; i++) {
		if (fuzz_count(v->out[i], password) > fuzz_count(w.out[i], password)) {
			fprintf(stderr, "LEAK in %s: password \"%s\" in \"%s\" (input \"%s\")\n",
				fuzz_what[i], password, v->out[i], input);
			abort();
		}
	}
	fuzz_view_free(&w);
	free(other);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_dsn_view v;
	char *input;

	if (size > FUZZ_DSN_MAX)
		return 0;
	input = malloc(size + 1);
	memcpy(input, data, size);
	input[size] = '\0';
	if (strlen(input) != size) { /* argv holds no NUL */
		free(input);
		return 0;
	}
	fuzz_view(input, &v);
	fuzz_no_leak(input, &v, v.password);
	fuzz_no_leak(input, &v, v.sslpassword);
	fuzz_view_free(&v);
	free(input);
	return 0;
}
