/*
 * Unit tests for shell_words: the prompt's splitting into commands and
 * words, the rest of a command, its numbers, and masking passwords out of
 * a line before it reaches the history or the process arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell_words.h"

static void test_words_quotes_group_and_go(void **state)
{
	struct shell_words w;

	(void)state;
	assert_true(shell_split_words("check  'host=a b' \"x y\" z", &w));
	assert_int_equal(w.argc, 4);
	assert_string_equal(w.argv[0], "check");
	assert_string_equal(w.argv[1], "host=a b");
	assert_string_equal(w.argv[2], "x y");
	assert_string_equal(w.argv[3], "z");
	/* raw points into the text as typed, quotes and all */
	assert_int_equal(strncmp(w.raw[1], "'host=a b'", 10), 0);
	free(w.buf);
}

static void test_words_open_quote_is_an_error(void **state)
{
	struct shell_words w;

	(void)state;
	assert_false(shell_split_words("sql 'SELECT 1", &w));
	free(w.buf);
	assert_true(shell_split_words("   ", &w));
	assert_int_equal(w.argc, 0);
	free(w.buf);
}

static void test_commands_split_at_semicolons_outside_quotes(void **state)
{
	char **cmds = shell_split_commands("a; b 'c;d'; e \"f;\"");

	(void)state;
	assert_string_equal(cmds[0], "a");
	assert_string_equal(cmds[1], " b 'c;d'");
	assert_string_equal(cmds[2], " e \"f;\"");
	assert_null(cmds[3]);
	shell_free_list(cmds);
}

static void test_rest_keeps_the_text_and_drops_one_pair_of_quotes(void **state)
{
	struct shell_words w;
	char *rest;

	(void)state;
	shell_split_words("sql \"SELECT 1; SELECT 2\"", &w);
	rest = shell_rest(&w, 1);
	assert_string_equal(rest, "SELECT 1; SELECT 2");
	free(rest);
	free(w.buf);

	shell_split_words("sql select  'a b'  from t  ", &w);
	rest = shell_rest(&w, 1);
	assert_string_equal(rest, "select  'a b'  from t");
	free(rest);
	free(w.buf);
}

static void test_seconds_and_counts(void **state)
{
	double s;
	long n;

	(void)state;
	assert_true(shell_parse_seconds("2", &s));
	assert_true(s == 2.0);
	assert_true(shell_parse_seconds("1.5s", &s));
	assert_true(s == 1.5);
	assert_true(shell_parse_seconds("500ms", &s));
	assert_true(s == 0.5);
	assert_false(shell_parse_seconds("2m", &s));
	assert_false(shell_parse_seconds("soon", &s));
	assert_false(shell_parse_seconds("nan", &s));

	assert_true(shell_parse_count("5", 1, 10, &n));
	assert_int_equal(n, 5);
	assert_false(shell_parse_count("0", 1, 10, &n));
	assert_false(shell_parse_count("11", 1, 10, &n));
	assert_false(shell_parse_count("5x", 1, 10, &n));
	assert_false(shell_parse_count("", 1, 10, &n));
}

/* As the command table would say: check's first word, add's third, are targets. */
static int masked_from(const struct shell_words *w)
{
	if (w->argc >= 2 && strcmp(w->argv[0], "check") == 0)
		return 1;
	if (w->argc >= 4 && strcmp(w->argv[0], "target") == 0 && strcmp(w->argv[1], "add") == 0)
		return 3;
	return 0;
}

static void test_mask_hides_the_password_of_a_target_word(void **state)
{
	char *m;

	(void)state;
	m = shell_words_mask("check postgresql://app:s3cret@db:5432/app; targets", masked_from);
	assert_null(strstr(m, "s3cret"));
	assert_non_null(strstr(m, "check postgresql://app:"));
	assert_non_null(strstr(m, "@db:5432/app"));
	assert_non_null(strstr(m, "; targets"));
	free(m);

	/* Only the table knows: "hunter2" alone does not look like a secret. */
	m = shell_words_mask("check host=db password = hunter2", masked_from);
	assert_null(strstr(m, "hunter2"));
	assert_int_equal(strncmp(m, "check host=db", 13), 0);
	free(m);

	m = shell_words_mask("target add prod host=db password='a b c' dbname=app", masked_from);
	assert_null(strstr(m, "a b c"));
	assert_int_equal(strncmp(m, "target add prod ", 16), 0);
	assert_non_null(strstr(m, "host=db"));
	free(m);
}

static void test_mask_hides_secret_words_anywhere(void **state)
{
	char *m;

	(void)state;
	/* Not a target by the table, but a word that carries a password. */
	m = shell_words_mask("sql postgresql://u:hunter2@h/db 'password=hunter2'", masked_from);
	assert_null(strstr(m, "hunter2"));
	assert_int_equal(strncmp(m, "sql ", 4), 0);
	free(m);
	/* Before the target too: a password typed where the name goes (fuzz_shell). */
	m = shell_words_mask("target add password=seod postgresql://a@h/d", masked_from);
	assert_null(strstr(m, "seod"));
	assert_int_equal(strncmp(m, "target add ", 11), 0);
	free(m);
	/* Nothing secret: the line as typed. */
	m = shell_words_mask("ping 3;  slots", masked_from);
	assert_string_equal(m, "ping 3;  slots");
	free(m);
}

static void test_mask_past_the_word_cap_masks_everything(void **state)
{
	char line[4096] = "sql";
	char *m;

	(void)state;
	for (int i = 0; i < SHELL_MAX_WORDS + 5; i++)
		strcat(line, " x");
	strcat(line, " password=topsecret");
	m = shell_words_mask(line, masked_from);
	assert_null(strstr(m, "topsecret"));
	free(m);
}

static void test_safe_echo_masks_only_secret_words(void **state)
{
	(void)state;
	assert_string_equal(shell_safe("frobnicate"), "frobnicate");
	assert_null(strstr(shell_safe("postgresql://u:pw123@h/db"), "pw123"));
	assert_null(strstr(shell_safe("password=pw123"), "pw123"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_quotes_group_and_go),
		cmocka_unit_test(test_words_open_quote_is_an_error),
		cmocka_unit_test(test_commands_split_at_semicolons_outside_quotes),
		cmocka_unit_test(test_rest_keeps_the_text_and_drops_one_pair_of_quotes),
		cmocka_unit_test(test_seconds_and_counts),
		cmocka_unit_test(test_mask_hides_the_password_of_a_target_word),
		cmocka_unit_test(test_mask_hides_secret_words_anywhere),
		cmocka_unit_test(test_mask_past_the_word_cap_masks_everything),
		cmocka_unit_test(test_safe_echo_masks_only_secret_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
