/*
 * libFuzzer harness for the prompt's line masking (shell_mask_line, what
 * the history file and ps keep), with a leak oracle: for every word of the
 * line that parses as a target with a password, the masked line must not
 * hold that password (when it occurs once in the line, so a copy in the
 * output cannot be a coincidence).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dsn.h"
#include "shell.h"

#define FUZZ_SHELL_MAX 2048

static size_t fuzz_count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void fuzz_check_word(const char *line, const char *masked, const char *word)
{
	struct dsn_target t;
	char err[512];
	const char *pw;

	if (!dsn_parse(word, NULL, &t, err, sizeof(err)))
		return;
	pw = dsn_get(&t, "password");
	/* percent-encoding: the password sent need not be the text typed */
	if (pw != NULL && strlen(pw) >= 4 && strchr(pw, '*') == NULL &&
	    strchr(word, '%') == NULL && fuzz_count(line, pw) == 1 && strstr(masked, pw) != NULL) {
		fprintf(stderr, "LEAK: password \"%s\" of \"%s\" in \"%s\"\n", pw, word, masked);
		abort();
	}
	dsn_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, *masked, *copy, *save = NULL;

	if (size > FUZZ_SHELL_MAX)
		return 0;
	line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	if (strlen(line) != size) {
		free(line);
		return 0;
	}
	masked = shell_mask_line(line);
	copy = strdup(line);
	/* plain words only: quoting is the shell's business, a quoted word is one target */
	for (char *w = strtok_r(copy, " \t\n\r\f\v;", &save); w != NULL;
	     w = strtok_r(NULL, " \t\n\r\f\v;", &save))
		if (strchr(w, '\'') == NULL && strchr(w, '"') == NULL && strchr(w, '\\') == NULL)
			fuzz_check_word(line, masked, w);
	free(copy);
	free(masked);
	free(line);
	return 0;
}
