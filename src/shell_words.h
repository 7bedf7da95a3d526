/*
 * shell_words: the prompt's text, pure (no scheduler, no terminal), so
 * tests/unit/test_shell_words.c drives it directly.
 */
#ifndef PGPULSE_SHELL_WORDS_H
#define PGPULSE_SHELL_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#define SHELL_MAX_WORDS 64

/* Words of one command: quotes group and are removed; raw keeps the text. */
struct shell_words {
	int argc;
	char *argv[SHELL_MAX_WORDS];
	const char *raw[SHELL_MAX_WORDS]; /* where each word starts */
	char *buf;
};

/*
 * What the user typed, fit to echo in a message: a word that may carry a
 * password goes through dsn_mask_password, control characters are shown
 * visibly (text_terminal). Lives until the fourth call after.
 */
const char *shell_safe(const char *word);
/* "2", "2s", "1.5", "500ms" -> seconds; false when it is no such number. */
bool shell_parse_seconds(const char *s, double *seconds);
/* A whole number from min to max. */
bool shell_parse_count(const char *s, long min, long max, long *out);
/* Splits one command into words (w->buf to free); false when a quote is left open. */
bool shell_split_words(const char *text, struct shell_words *w);
/* A line split at ';' outside quotes: a NULL-terminated malloc'd array. */
char **shell_split_commands(const char *line);
void shell_free_list(char **list);
/* Word i to the end of the command, as typed; one quoted word loses its quotes. */
char *shell_rest(const struct shell_words *w, int i);

/*
 * The line with every password masked (malloc'd): from the word
 * masked_from(words) names (0: none) to the end of each command, through
 * dsn_mask_password, and any other word that looks like a connection
 * string. shell_mask_line passes the command table's answer.
 */
char *shell_words_mask(const char *line, int (*masked_from)(const struct shell_words *w));

#endif
