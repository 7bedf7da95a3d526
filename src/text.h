/*
 * text: makes bytes from a server, a pooler or a target string safe to
 * show. JSON gets valid UTF-8 (invalid bytes become U+FFFD, text exact
 * otherwise); a terminal gets no control character, escape sequence or
 * bidirectional override (each shown visibly as \xHH or \u{HHHH}); and
 * every cut of a string falls on a character boundary.
 */
#ifndef PGPULSE_TEXT_H
#define PGPULSE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the well-formed UTF-8 character at s (at most n bytes): 1 to 4,
 * or 0 when the bytes there are not one (stray continuation, overlong
 * form, surrogate, past U+10FFFF, cut short).
 */
size_t text_utf8_char_len(const char *s, size_t n);

/* Whether s[0..n) is well-formed UTF-8. */
bool text_utf8_valid(const char *s, size_t n);

/*
 * Copies src into out (outlen bytes, NUL-terminated) and, when it must be
 * cut, cuts before a character rather than inside one. Returns out.
 */
char *text_copy(char *out, const char *src, size_t outlen);

/*
 * The longest prefix of s[0..n) no longer than max bytes that does not end
 * inside a character (an invalid byte counts as one character).
 */
size_t text_boundary(const char *s, size_t n, size_t max);

/* malloc'd copy of s with every invalid UTF-8 byte replaced by U+FFFD. */
char *text_utf8_repair(const char *s);

/*
 * For a terminal: copies src into out (outlen bytes, NUL-terminated, cut
 * on a boundary of the output) with C0 controls, DEL, ESC and invalid
 * bytes as \xHH (tab, newline and carriage return as \t \n \r), C1
 * controls and bidirectional overrides as \u{HHHH}; other characters kept
 * when utf8 (the terminal's locale is UTF-8), else shown as \u{HHHH}.
 * Returns out.
 */
char *text_terminal(char *out, const char *src, size_t outlen, bool utf8);

/* malloc'd form of text_terminal, never cut. */
char *text_terminal_dup(const char *src, bool utf8);

/*
 * Display width of the character at s (n bytes left) in the current
 * locale; sets *used to its bytes (at least 1 when n > 0). An invalid byte
 * and a character wcwidth calls unprintable each take one column: a
 * terminal shows something there (the dashboard '?' or a space).
 */
int text_char_width(const char *s, size_t n, size_t *used);

/* Columns s takes on a terminal: the sum of text_char_width. */
int text_width(const char *s);

/* Whether the current locale (LC_CTYPE) encodes UTF-8. */
bool text_locale_utf8(void);

#endif
