/*
 * Unit tests for text: what reaches a terminal carries no control
 * character or escape sequence, JSON text is valid UTF-8, and every cut
 * falls on a character boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static void test_text_utf8_validity(void **state)
{
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
		{ "plain", true },
		{ "caf\xC3\xA9", true },
		{ "\xE2\x82\xAC \xF0\x9F\x98\x80", true },
		{ "cut \xC3", false },
		{ "\xE2\x82", false },
		{ "\x80 stray", false },
		{ "\xC0\xAF overlong", false },
		{ "\xED\xA0\x80 surrogate", false },
		{ "\xF4\x90\x80\x80 past max", false },
		{ "\xFF", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (text_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].valid)
			fail_msg("valid(%s) != %d", cases[i].s, cases[i].valid);
}

/* A server message cut at 511 bytes inside an "é" loses the whole "é". */
static void test_text_copy_cuts_on_boundary(void **state)
{
	char big[1100], out[512];

	for (size_t i = 0; i < 1000; i += 2)
		memcpy(big + i, "\xC3\xA9", 2);
	big[1000] = '\0';
	text_copy(out, big, sizeof(out));
	assert_int_equal(strlen(out), 510);
	assert_true(text_utf8_valid(out, strlen(out)));

	text_copy(out, "ab\xE2\x82\xAC", 5);
	assert_string_equal(out, "ab");
	text_copy(out, "ab\xE2\x82\xAC", 6);
	assert_string_equal(out, "ab\xE2\x82\xAC");
	/* invalid bytes are characters of their own: kept up to the limit */
	text_copy(out, "ab\x80\x80\x80\x80", 5);
	assert_int_equal(strlen(out), 4);
	text_copy(out, NULL, 4);
	assert_string_equal(out, "");
}

static void test_text_utf8_repair_replaces_bad_bytes(void **state)
{
	char *r = text_utf8_repair("ok \xC3 then \xFF\xC3\xA9");

	assert_string_equal(r, "ok \xEF\xBF\xBD then \xEF\xBF\xBD\xC3\xA9");
	assert_true(text_utf8_valid(r, strlen(r)));
	free(r);
}

static void test_text_terminal_shows_controls(void **state)
{
	static const struct {
		const char *in;
		bool utf8;
		const char *want;
	} cases[] = {
		{ "clear\x1b[2J", true, "clear\\x1B[2J" },
		{ "bell\a nul-free\x7f", true, "bell\\x07 nul-free\\x7F" },
		{ "a\tb\nc\rd", true, "a\\tb\\nc\\rd" },
		{ "caf\xC3\xA9", true, "caf\xC3\xA9" },
		{ "caf\xC3\xA9", false, "caf\\u{00E9}" },
		{ "csi\xC2\x9B"
		  "2J",
		  true, "csi\\u{009B}2J" },
		{ "rtl\xE2\x80\xAE"
		  "gpj.exe",
		  true, "rtl\\u{202E}gpj.exe" },
		{ "bad\xC3", true, "bad\\xC3" },
		{ "", true, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = text_terminal_dup(cases[i].in, cases[i].utf8);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("terminal(%s) = %s, want %s", cases[i].in, got, cases[i].want);
		free(got);
	}
}

/* A fixed buffer never ends inside an escape like \x1B or a character. */
static void test_text_terminal_cut_is_whole(void **state)
{
	char out[8];

	text_terminal(out, "abcd\x1b[2J", sizeof(out), true);
	assert_string_equal(out, "abcd");
	text_terminal(out, "abcdef\xC3\xA9", sizeof(out), true);
	assert_string_equal(out, "abcdef");
}

/* Display width: one home for the prompt and the dashboard (C.UTF-8 locale). */
static void test_text_width(void **state)
{
	static const struct {
		const char *s;
		int width;
	} cases[] = {
		{ "", 0 },
		{ "plain", 5 },
		{ "caf\xC3\xA9", 4 },		   /* é: one column */
		{ "\xE4\xB8\xAD\xE6\x96\x87", 4 }, /* two wide CJK characters */
		{ "e\xCC\x81", 1 },		   /* e + combining acute */
		{ "\xFF\xFE"
		  "ab",
		  4 },		   /* invalid bytes: one column each */
		{ "\\x1B[2J", 7 }, /* the terminal form measures as shown */
	};
	size_t used;

	(void)state;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		skip();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (text_width(cases[i].s) != cases[i].width)
			fail_msg("width(%s) = %d, want %d", cases[i].s, text_width(cases[i].s),
				 cases[i].width);
	assert_int_equal(text_char_width("\xE4\xB8\xAD", 3, &used), 2);
	assert_int_equal(used, 3);
	assert_int_equal(text_char_width("\xE4\xB8", 2, &used), 1); /* cut short: one byte */
	assert_int_equal(used, 1);
	/* what the dashboard and the prompt measure is what they show */
	{
		char out[64];

		text_terminal(out, "a\x1B[2Jb", sizeof(out), true);
		assert_int_equal(text_width(out), (int)strlen("a\\x1B[2Jb"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_utf8_validity),
		cmocka_unit_test(test_text_copy_cuts_on_boundary),
		cmocka_unit_test(test_text_utf8_repair_replaces_bad_bytes),
		cmocka_unit_test(test_text_terminal_shows_controls),
		cmocka_unit_test(test_text_terminal_cut_is_whole),
		cmocka_unit_test(test_text_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
