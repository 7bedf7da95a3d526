/*
 * text: UTF-8 checking, repair and boundary-respecting cuts, and the
 * terminal-safe form of untrusted text. Pure functions, no state: the
 * report, the prompt and the dashboard all use them.
 */
#include "text.h"
#include "util.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

size_t text_utf8_char_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
		cp = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		cp = u[0] & 0x0F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		cp = u[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3F);
	}
	/* overlong forms, UTF-16 surrogates, past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

/* The code point of a well-formed character of len bytes. */
static uint32_t text_code_point(const unsigned char *u, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	uint32_t cp = u[0] & lead_mask[len];

	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (u[i] & 0x3F);
	return cp;
}

bool text_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = text_utf8_char_len(s + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

size_t text_boundary(const char *s, size_t n, size_t max)
{
	size_t i, lead;

	if (n <= max)
		return n;
	/* step back over at most 3 continuation bytes to the lead byte */
	for (lead = max; lead > 0 && max - lead < 3 && ((unsigned char)s[lead] & 0xC0) == 0x80;)
		lead--;
	i = text_utf8_char_len(s + lead, n - lead);
	/* a character that starts at lead and would end past max is dropped */
	return (i > 0 && lead + i > max) ? lead : max;
}

char *text_copy(char *out, const char *src, size_t outlen)
{
	size_t n;

	if (outlen == 0)
		return out;
	if (src == NULL)
		src = "";
	n = text_boundary(src, strlen(src), outlen - 1);
	memcpy(out, src, n);
	out[n] = '\0';
	return out;
}

char *text_utf8_repair(const char *s)
{
	size_t n, i = 0, o = 0, k;
	char *out;

	if (s == NULL)
		return util_xstrdup("");
	n = strlen(s);
	out = util_xmalloc(3 * n + 1); /* each bad byte grows to 3 bytes */
	while (i < n) {
		k = text_utf8_char_len(s + i, n - i);
		if (k == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return out;
}

/* Characters a terminal must not get raw although they are valid UTF-8. */
static bool text_is_invisible_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) ||	 /* C1 controls: 0x9B is CSI */
	       (cp >= 0x202A && cp <= 0x202E) || /* bidi embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
	       cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/*
 * The terminal form of the character at s (n bytes left) into rep; sets
 * *used to the bytes of s it stands for.
 */
static size_t text_terminal_char(const char *s, size_t n, bool utf8, char *rep, size_t *used)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k = text_utf8_char_len(s, n);
	uint32_t cp;

	if (k == 0) {
		*used = 1;
		return (size_t)snprintf(rep, 16, "\\x%02X", u[0]);
	}
	*used = k;
	if (k == 1) {
		static const struct {
			char c;
			const char *shown;
		} named[] = { { '\t', "\\t" }, { '\n', "\\n" }, { '\r', "\\r" } };

		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (s[0] == named[i].c)
				return (size_t)snprintf(rep, 16, "%s", named[i].shown);
		if (u[0] < 0x20 || u[0] == 0x7F)
			return (size_t)snprintf(rep, 16, "\\x%02X", u[0]);
		rep[0] = s[0];
		return 1;
	}
	cp = text_code_point(u, k);
	if (!utf8 || text_is_invisible_control(cp))
		return (size_t)snprintf(rep, 16, "\\u{%04X}", (unsigned)cp);
	memcpy(rep, s, k);
	return k;
}

char *text_terminal(char *out, const char *src, size_t outlen, bool utf8)
{
	size_t n, i = 0, o = 0, used, k;
	char rep[16];

	if (outlen == 0)
		return out;
	if (src == NULL)
		src = "";
	n = strlen(src);
	while (i < n) {
		k = text_terminal_char(src + i, n - i, utf8, rep, &used);
		if (o + k > outlen - 1)
			break;
		memcpy(out + o, rep, k);
		o += k;
		i += used;
	}
	out[o] = '\0';
	return out;
}

char *text_terminal_dup(const char *src, bool utf8)
{
	size_t n = src ? strlen(src) : 0;
	/* the longest form, "\u{10FFFF}" (10 bytes), stands for at least 2 bytes */
	size_t cap = 5 * n + 1;
	char *out = util_xmalloc(cap);

	return text_terminal(out, src, cap, utf8);
}

int text_char_width(const char *s, size_t n, size_t *used)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;
	int cw;

	*used = n > 0 ? 1 : 0;
	if (n == 0)
		return 0;
	memset(&st, 0, sizeof(st));
	k = mbrtowc(&wc, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
		return 1;
	*used = k;
	cw = wcwidth(wc);
	return cw < 0 ? 1 : cw;
}

int text_width(const char *s)
{
	size_t n = s ? strlen(s) : 0, used;
	int w = 0;

	/* n counted down: strlen per character would be quadratic */
	while (n > 0) {
		w += text_char_width(s, n, &used);
		s += used;
		n -= used;
	}
	return w;
}

bool text_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}
