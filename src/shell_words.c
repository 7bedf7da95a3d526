/*
 * shell_words: the prompt's text, pure: a line split into commands at ';'
 * and each command into words (quotes group), the rest of a command as
 * typed, numbers and seconds as the prompt takes them, and a line with its
 * passwords masked (the caller says which word starts a target).
 */
#include "shell_words.h"
#include "dsn.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* True when a word may carry a password: a URI or a password= pair. */
static bool shell_word_secret(const char *word)
{
	return strstr(word, "://") != NULL || util_contains_ci(word, "password=");
}

/*
 * What the user typed, fit to echo in a message: a word that may carry a
 * password goes through dsn_mask_password, and control characters are
 * shown visibly (text_terminal), never sent. The result lives until the
 * fourth call after (enough for one message's arguments).
 */
const char *shell_safe(const char *word)
{
	static char ring[4][256];
	static unsigned next;
	char *slot = ring[next++ % 4];
	char *masked = shell_word_secret(word) ? dsn_mask_password(word) : NULL;

	text_terminal(slot, masked ? masked : word, sizeof(ring[0]), text_locale_utf8());
	free(masked);
	return slot;
}

/* "2", "2s", "1.5", "500ms" -> seconds; false when it is no such number. */
bool shell_parse_seconds(const char *s, double *seconds)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v))
		return false;
	if (strcmp(end, "ms") == 0)
		v /= 1000.0;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return false;
	*seconds = v;
	return true;
}

bool shell_parse_count(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Splits one command into words; false when a quote is left open. */
bool shell_split_words(const char *text, struct shell_words *w)
{
	const char *p = text;
	char *out;
	char quote = 0;

	memset(w, 0, sizeof(*w));
	out = w->buf = util_xmalloc(strlen(text) + 1);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || w->argc == SHELL_MAX_WORDS)
			break;
		w->raw[w->argc] = p;
		w->argv[w->argc++] = out;
		for (; *p && (quote || !isspace((unsigned char)*p)); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '\'' || *p == '"'))
				quote = *p;
			else
				*out++ = *p;
		}
		*out++ = '\0';
	}
	return quote == 0;
}

/*
 * Splits a line into commands at ';' outside quotes. Returns a
 * NULL-terminated array of malloc'd strings.
 */
char **shell_split_commands(const char *line)
{
	char **cmds = NULL;
	size_t n = 0;
	const char *start = line, *p;
	char quote = 0;

	for (p = line;; p++) {
		if (*p == '\0' || (*p == ';' && !quote)) {
			cmds = util_xrealloc(cmds, (n + 2) * sizeof(*cmds));
			cmds[n] = util_xmalloc((size_t)(p - start) + 1);
			memcpy(cmds[n], start, (size_t)(p - start));
			cmds[n][p - start] = '\0';
			n++;
			if (*p == '\0')
				break;
			start = p + 1;
		} else if (quote && *p == quote) {
			quote = 0;
		} else if (!quote && (*p == '\'' || *p == '"')) {
			quote = *p;
		}
	}
	cmds[n] = NULL;
	return cmds;
}

void shell_free_list(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

/*
 * The text of word i to the end of the command, as typed. One quoted word
 * loses its quotes, so -c 'sql "SELECT 1; SELECT 2"' works.
 */
char *shell_rest(const struct shell_words *w, int i)
{
	const char *r = w->raw[i];
	size_t n = strlen(r);
	char *out;

	while (n > 0 && isspace((unsigned char)r[n - 1]))
		n--;
	if (i == w->argc - 1 && n >= 2 && (r[0] == '"' || r[0] == '\'') && r[n - 1] == r[0] &&
	    strlen(w->argv[i]) == n - 2)
		return util_xstrdup(w->argv[i]);
	out = util_xmalloc(n + 1);
	memcpy(out, r, n);
	out[n] = '\0';
	return out;
}

static void shell_append(char **buf, size_t *len, const char *s, size_t n)
{
	*buf = util_xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/*
 * The line as the history (and ps, for -c) keeps it: from the first word the
 * command table calls a target or a connection string (check TARGET,
 * target add NAME TARGET) the rest goes through dsn_mask_password, and so
 * does any other word that looks like a connection string, before it too.
 */
char *shell_words_mask(const char *line, int (*masked_from)(const struct shell_words *w))
{
	char **cmds = shell_split_commands(line);
	char *out = util_xstrdup("");
	size_t len = 0;

	for (size_t i = 0; cmds[i]; i++) {
		struct shell_words w;
		const char *text = cmds[i];
		int from = -1;

		if (i)
			shell_append(&out, &len, ";", 1);
		shell_split_words(text, &w);
		from = masked_from(&w);
		if (w.argc >= SHELL_MAX_WORDS) {
			/* Past the split's cap the last word runs to the end: mask it all. */
			char *masked = dsn_mask_password(text);

			shell_append(&out, &len, masked, strlen(masked));
			free(masked);
		} else {
			const char *p = text;

			for (int k = 0; k < w.argc; k++) {
				const char *end =
					k + 1 < w.argc ? w.raw[k + 1] : text + strlen(text);

				shell_append(&out, &len, p, (size_t)(w.raw[k] - p));
				if (from > 0 && k == from) {
					/* the target: it and all after it, as one string */
					char *masked = dsn_mask_password(w.raw[k]);

					shell_append(&out, &len, masked, strlen(masked));
					free(masked);
					p = text + strlen(text);
					break;
				}
				/* a word before it too ("target add password=x ..." misordered) */
				if (shell_word_secret(w.argv[k])) {
					/* The unquoted word: a quoted 'password=x' is still one. */
					const char *blank = end;
					char *masked = dsn_mask_password(w.argv[k]);

					while (blank > w.raw[k] &&
					       isspace((unsigned char)blank[-1]))
						blank--;
					shell_append(&out, &len, masked, strlen(masked));
					shell_append(&out, &len, blank, (size_t)(end - blank));
					free(masked);
				} else {
					shell_append(&out, &len, w.raw[k],
						     (size_t)(end - w.raw[k]));
				}
				p = end;
			}
			shell_append(&out, &len, p, strlen(p));
		}
		free(w.buf);
	}
	shell_free_list(cmds);
	return out;
}
