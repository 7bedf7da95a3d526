/*
 * dsn_mask: finds the passwords in a target as typed (conninfo, URI, a
 * driver's URL, a raw password with '/', '?', '#' or '@'), masks them for
 * display, history and ps, and scrubs libpq's parse errors that echo them.
 * Linear in the input. dsn.c builds on it; it needs nothing from dsn.c.
 */
#include "dsn.h"
#include "dsn_priv.h"
#include "util.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void dsn_buf_add(struct dsn_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = util_xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void dsn_buf_puts(struct dsn_buf *b, const char *s)
{
	dsn_buf_add(b, s, strlen(s));
}

void dsn_buf_putc(struct dsn_buf *b, char c)
{
	dsn_buf_add(b, &c, 1);
}

char *dsn_buf_take(struct dsn_buf *b)
{
	return b->s ? b->s : util_xstrdup("");
}

bool dsn_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool dsn_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Percent-encodes all but RFC 3986 unreserved characters and those in keep. */
void dsn_buf_encode(struct dsn_buf *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (dsn_is_alnum(c) || strchr("-._~", c) || (keep && strchr(keep, c))) {
			dsn_buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			dsn_buf_add(b, e, 3);
		}
	}
}

static int dsn_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX in s[0..n); malformed escapes are kept as they are. */
char *dsn_pct_decode(const char *s, size_t n)
{
	struct dsn_buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && dsn_hex((unsigned char)s[i + 1]) >= 0 &&
		    dsn_hex((unsigned char)s[i + 2]) >= 0) {
			dsn_buf_putc(&b, (char)(dsn_hex((unsigned char)s[i + 1]) * 16 +
						dsn_hex((unsigned char)s[i + 2])));
			i += 2;
		} else {
			dsn_buf_putc(&b, s[i]);
		}
	}
	return dsn_buf_take(&b);
}

/* Removes conninfo quoting: backslash escapes the next character. */
static char *dsn_unescape(const char *s, size_t n)
{
	struct dsn_buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		dsn_buf_putc(&b, s[i]);
	}
	return dsn_buf_take(&b);
}

/*
 * Secret values (password, sslpassword: the options libpq marks with
 * dispchar "*") located as byte ranges of the raw string, so masking and
 * error scrubbing share one scanner.
 */
struct dsn_span {
	size_t start;
	size_t end;
	bool guess; /* untokenizable rest, masked in case it holds one */
};

struct dsn_secrets {
	struct dsn_span *v;
	size_t n;
};

static void dsn_secrets_add(struct dsn_secrets *sec, size_t start, size_t end, bool guess)
{
	/* doubling: a pasted string with thousands of password= stays linear */
	if ((sec->n & (sec->n - 1)) == 0)
		sec->v = util_xrealloc(sec->v, (sec->n ? 2 * sec->n : 1) * sizeof(*sec->v));
	sec->v[sec->n].start = start;
	sec->v[sec->n].end = end;
	sec->v[sec->n].guess = guess;
	sec->n++;
}

static bool dsn_is_secret_key(const char *key, size_t n)
{
	return (n == 8 && strncasecmp(key, "password", 8) == 0) ||
	       (n == 11 && strncasecmp(key, "sslpassword", 11) == 0);
}

/* Length of the "scheme" of "scheme://...", 0 when s is not URI-shaped. */
size_t dsn_scheme_len(const char *s)
{
	size_t i = 0;
	unsigned char c = (unsigned char)s[0];

	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return 0;
	while (dsn_is_alnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-')
		i++;
	return strncmp(s + i, "://", 3) == 0 ? i : 0;
}

/*
 * Whether the authority text s[0..n) can be a plain host[:port] list with no
 * userinfo ("db:5432,[::1]:6543"): a port is digits only, so "user:Sekr"
 * cannot be one.
 */
static bool dsn_is_hostport_list(const char *s, size_t n)
{
	bool in_port = false, bracket = false;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '[' || c == ']') {
			bracket = c == '[';
			in_port = false;
		} else if (c == ',') {
			in_port = false;
		} else if (c == ':' && !bracket) {
			in_port = true;
		} else if (in_port ? !(c >= '0' && c <= '9')
				   : !(dsn_is_alnum(c) || strchr(".-_%~:", c))) {
			return false;
		}
	}
	return true;
}

/*
 * Where a URI's userinfo ends, or (size_t)-1: the last '@' that is not
 * inside a query value (SQLAlchemy reads pasted URLs the same way), as
 * pasted passwords often hold raw '@', '?', '&' or '/': better to mask too
 * much than too little. An '@' is in a query value only when a '?' before
 * it really starts a query: userinfo already ended before that '?', or
 * what precedes it is host[:port] and a path ("db/app?options=a@b").
 * "u:Sekr&x=3@h" and "u:Sekr?x=3@h" have no query: their '@' ends the
 * userinfo. One pass, linear in the input.
 */
size_t dsn_userinfo_end(const char *s, size_t auth)
{
	size_t slash = auth + strcspn(s + auth, "/");
	bool hostport = dsn_is_hostport_list(s + auth, slash - auth);
	bool seen_at = false, query = false, end_found = false;
	size_t end = 0;

	for (size_t i = auth; s[i]; i++) {
		if (s[i] == '?' && !query)
			query = seen_at || (i > slash && hostport);
		if (s[i] != '@')
			continue;
		seen_at = true;
		if (!query) {
			end = i;
			end_found = true;
		}
	}
	return end_found ? end : (size_t)-1;
}

/*
 * URI, authority starting at s[auth]: the password in the userinfo (see
 * dsn_userinfo_end), then the password= and sslpassword= query parameters.
 */
static void dsn_find_uri_secrets(const char *s, size_t auth, size_t base, struct dsn_secrets *sec)
{
	size_t at = dsn_userinfo_end(s, auth), i, q;
	bool found = at != (size_t)-1;

	if (found) {
		const char *colon = memchr(s + auth, ':', at - auth);

		if (colon)
			dsn_secrets_add(sec, base + (size_t)(colon + 1 - s), base + at, false);
	}
	q = found ? at + 1 : auth;
	while (s[q] && s[q] != '?')
		q++;
	if (s[q] != '?')
		return;
	for (i = q + 1; s[i];) {
		size_t len = strcspn(s + i, "&");
		const char *eq = memchr(s + i, '=', len);

		if (eq) {
			char *key = dsn_pct_decode(s + i, (size_t)(eq - (s + i)));

			if (dsn_is_secret_key(key, strlen(key)))
				dsn_secrets_add(sec, base + (size_t)(eq + 1 - s), base + i + len,
						false);
			free(key);
		}
		i += len;
		if (s[i] == '&')
			i++;
	}
}

/*
 * Whether a value reads "...password=..." or holds a URI with userinfo
 * further in: "yz= password=pw" is key yz with that value to libpq, but a
 * person (or a shell word cut by a stray quote) meant a password; masking
 * the whole value costs nothing.
 */
static bool dsn_value_holds_password(const char *v, size_t n)
{
	size_t first = dsn_scheme_len(v), last_at = n;

	/* "x postgresql://u:pw@h" inside a value: a URI that does not start it */
	while (last_at > 0 && v[last_at - 1] != '@')
		last_at--;
	for (size_t i = 0; i + 3 <= n && i < last_at; i++)
		if (memcmp(v + i, "://", 3) == 0 && (first == 0 || i != first))
			return true;
	for (size_t i = 0; i + 8 <= n; i++) {
		size_t k = i + 8;

		if (strncasecmp(v + i, "password", 8) != 0)
			continue;
		while (k < n && dsn_is_space((unsigned char)v[k]))
			k++;
		if (k < n && v[k] == '=')
			return true;
	}
	return false;
}

/*
 * A token that is not key=value, s[key..end): true when it is a URI
 * ("jdbc:postgresql://u:pw@h"), whose secrets are then masked as one; a
 * "://" further on is no reason to read this token as a URI.
 */
static bool dsn_find_token_uri(const char *s, size_t key, size_t end, size_t base,
			       struct dsn_secrets *sec)
{
	const char *uri = strstr(s + key, "://");
	char *tok;

	if (uri == NULL || uri >= s + end)
		return false;
	/* only a scheme before it ("jdbc:postgresql"): ";password=x//h://" is no URI */
	for (const char *c = s + key; c < uri; c++)
		if (!dsn_is_alnum((unsigned char)*c) && !strchr("+.-:", *c))
			return false;
	tok = util_xmalloc(end - key + 1);
	memcpy(tok, s + key, end - key);
	tok[end - key] = '\0';
	dsn_find_uri_secrets(tok, (size_t)(uri + 3 - (s + key)), base + key, sec);
	free(tok);
	return true;
}

/*
 * conninfo, tokenized the way libpq does: key, optional spaces, '=',
 * optional spaces, then a value that is either 'quoted' or runs to the next
 * space, backslash escaping one character. A value that is itself a URI
 * gets its own secrets masked. What cannot be tokenized is masked whole.
 */
static void dsn_find_conninfo_secrets(const char *s, size_t base, struct dsn_secrets *sec)
{
	size_t i = 0, key, key_end, val, val_end;
	bool quoted;

	for (;;) {
		while (dsn_is_space((unsigned char)s[i]))
			i++;
		if (s[i] == '\0')
			return;
		key = i;
		while (s[i] && s[i] != '=' && !dsn_is_space((unsigned char)s[i]))
			i++;
		key_end = i;
		while (dsn_is_space((unsigned char)s[i]))
			i++;
		/* libpq keywords are [a-z_]; a "'password" is no key we can judge. */
		for (size_t k = key; k < key_end && s[i] == '='; k++)
			if (!dsn_is_alnum((unsigned char)s[k]) && s[k] != '_')
				i = key_end = key; /* falls to "mask all of it" below */
		if (s[i] != '=') {
			size_t end = key;

			while (s[end] && !dsn_is_space((unsigned char)s[end]))
				end++;
			/* a URI token is masked as one and the rest read on; else all of it */
			if (dsn_find_token_uri(s, key, end, base, sec)) {
				i = end;
				continue;
			}
			dsn_secrets_add(sec, base + key, base + strlen(s), true);
			return;
		}
		i++;
		while (dsn_is_space((unsigned char)s[i]))
			i++;
		quoted = s[i] == '\'';
		if (quoted)
			i++;
		val = i;
		while (s[i]) {
			if (s[i] == '\\' && s[i + 1]) {
				i += 2;
				continue;
			}
			if (quoted ? s[i] == '\'' : dsn_is_space((unsigned char)s[i]))
				break;
			i++;
		}
		val_end = i;
		if (quoted && s[i] == '\'')
			i++;
		if (dsn_is_secret_key(s + key, key_end - key) ||
		    dsn_value_holds_password(s + val, val_end - val)) {
			dsn_secrets_add(sec, base + val, base + val_end, false);
		} else if (memchr(s + val, '\\', val_end - val) == NULL) {
			char *v = util_xmalloc(val_end - val + 1);

			memcpy(v, s + val, val_end - val);
			v[val_end - val] = '\0';
			if (dsn_scheme_len(v) > 0)
				dsn_find_uri_secrets(v, dsn_scheme_len(v) + 3, base + val, sec);
			free(v);
		}
	}
}

size_t dsn_skip_space(const char *s)
{
	size_t i = 0;

	while (dsn_is_space((unsigned char)s[i]))
		i++;
	return i;
}

/*
 * Any "password=" or "sslpassword=" that starts a word or a parameter, its
 * value to the next '&', quote or space: a net under the parsers above, for text
 * they read another way (a URI's userinfo that runs past a space into a
 * later '@' takes "?password=" in with it). Masking too much costs nothing.
 */
static void dsn_find_loose_secrets(const char *s, struct dsn_secrets *sec)
{
	static const char *const keys[] = { "password=", "sslpassword=" };

	for (size_t i = 0; s[i]; i++) {
		if (i > 0 && !dsn_is_space((unsigned char)s[i - 1]) && !strchr("?&;'\"", s[i - 1]))
			continue;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t v = i + strlen(keys[k]), e = v;

			/* a 'quoted value' is conninfo's, and that scanner reads it whole */
			if (strncasecmp(s + i, keys[k], strlen(keys[k])) != 0 || s[v] == '\'')
				continue;
			while (s[e] && s[e] != '&' && s[e] != '\'' && !dsn_is_space((unsigned char)s[e]))
				e++;
			if (e > v)
				dsn_secrets_add(sec, v, e, false);
		}
	}
}

static void dsn_find_secrets(const char *s, struct dsn_secrets *sec)
{
	size_t lead = dsn_skip_space(s);

	dsn_find_loose_secrets(s, sec);

	/* dsn_parse reads a JDBC URL as the URI after "jdbc:": so must masking */
	if (strncasecmp(s + lead, "jdbc:postgresql://", 18) == 0)
		lead += 5;
	if (dsn_scheme_len(s + lead) > 0) {
		const char *gap;

		dsn_find_uri_secrets(s + lead, dsn_scheme_len(s + lead) + 3, lead, sec);
		/* a URI is one word: what follows a space is read as conninfo too */
		for (gap = s + lead; *gap && !dsn_is_space((unsigned char)*gap); gap++)
			;
		if (*gap)
			dsn_find_conninfo_secrets(gap, (size_t)(gap - s), sec);
	} else {
		dsn_find_conninfo_secrets(s, 0, sec);
	}
}

static int dsn_span_cmp(const void *a, const void *b)
{
	const struct dsn_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

char *dsn_mask_password(const char *conninfo)
{
	struct dsn_secrets sec = { 0 };
	struct dsn_buf b = { 0 };
	size_t pos = 0, i;

	if (conninfo == NULL)
		return util_xstrdup("");
	dsn_find_secrets(conninfo, &sec);
	/* by start; a span that overlaps the one before masks on to its own end */
	if (sec.n > 1)
		qsort(sec.v, sec.n, sizeof(*sec.v), dsn_span_cmp);
	for (i = 0; i < sec.n; i++) {
		if (sec.v[i].end <= pos && i > 0)
			continue;
		if (sec.v[i].start > pos)
			dsn_buf_add(&b, conninfo + pos, sec.v[i].start - pos);
		if (sec.v[i].start >= pos || i == 0)
			dsn_buf_puts(&b, DSN_MASK);
		pos = sec.v[i].end > pos ? sec.v[i].end : pos;
	}
	dsn_buf_puts(&b, conninfo + pos);
	free(sec.v);
	return dsn_buf_take(&b);
}

void dsn_blank_in_place(char *arg, const char *masked)
{
	size_t n = strlen(arg), m = strlen(masked), pre = 0, suf = 0;

	if (strcmp(arg, masked) == 0)
		return;
	if (m <= n) {
		memset(arg, 0, n);
		memcpy(arg, masked, m);
		return;
	}
	/* every secret lies between the common prefix and the common suffix */
	while (pre < n && arg[pre] == masked[pre])
		pre++;
	while (suf < n - pre && arg[n - 1 - suf] == masked[m - 1 - suf])
		suf++;
	memset(arg + pre, '*', n - pre - suf);
}

/*
 * Whether a fragment libpq echoed is harmless: empty, one symbol, a libpq
 * keyword, or a URI query key ("?pgbouncer=true" is not a password).
 */
static bool dsn_is_harmless(const char *frag, const char *const *inputs, size_t ninputs)
{
	PQconninfoOption *known, *o;
	size_t n = strlen(frag), k;
	const char *p;
	char *e = NULL;
	bool found = false;

	if (n == 0 || (n == 1 && !dsn_is_alnum((unsigned char)frag[0])))
		return true;
	for (k = 0; k < ninputs; k++) {
		if (inputs[k] == NULL || dsn_scheme_len(inputs[k]) == 0)
			continue;
		for (p = strstr(inputs[k], frag); p != NULL; p = strstr(p + 1, frag))
			if (p > inputs[k] && (p[-1] == '?' || p[-1] == '&') && p[n] == '=')
				return true;
	}
	known = PQconninfoParse("", &e);
	PQfreemem(e);
	for (o = known; o && o->keyword && !found; o++)
		found = strcmp(o->keyword, frag) == 0;
	PQconninfoFree(known);
	return found;
}

/* More secrets than this in one target: libpq's message is not echoed. */
#define DSN_SCRUB_MAX_SECRETS 32

/*
 * Marks in hide[] every byte of msg covered by an occurrence of one of the
 * target's secret values (raw, percent-decoded or unquoted, as libpq may
 * echo any). Marking the original text, rather than replacing in turn,
 * keeps it linear: a "***" put in for one secret is never searched for
 * the next (a secret "*" once made that exponential). Returns the number
 * of secrets, or -1 when there are too many to check in linear time.
 */
static int dsn_scrub_mark(const char *msg, bool *hide, const char *const *inputs, size_t ninputs)
{
	size_t k, i;
	int nsecrets = 0;

	for (k = 0; k < ninputs; k++) {
		struct dsn_secrets sec = { 0 };

		if (inputs[k] == NULL)
			continue;
		dsn_find_secrets(inputs[k], &sec);
		for (i = 0; i < sec.n && nsecrets >= 0; i++) {
			const char *v = inputs[k] + sec.v[i].start;
			size_t n = sec.v[i].end - sec.v[i].start;
			char *forms[3];

			/* "host=db bogus" has nothing to hide; "password sec" may */
			if (sec.v[i].guess && !util_contains_ci(inputs[k], "pass"))
				continue;
			if (++nsecrets > DSN_SCRUB_MAX_SECRETS) {
				nsecrets = -1;
				break;
			}
			forms[0] = util_xmalloc(n + 1);
			memcpy(forms[0], v, n);
			forms[0][n] = '\0';
			forms[1] = dsn_pct_decode(v, n);
			forms[2] = dsn_unescape(v, n);
			for (size_t f = 0; f < 3; f++) {
				size_t fn = strlen(forms[f]);
				const char *hit;

				for (const char *p = msg;
				     fn > 0 && (hit = strstr(p, forms[f])) != NULL; p = hit + fn)
					memset(hide + (hit - msg), 1, fn);
				free(forms[f]);
			}
		}
		free(sec.v);
		if (nsecrets < 0)
			break;
	}
	return nsecrets;
}

/*
 * Makes libpq's error text safe to show: every known secret value (raw and
 * decoded) becomes ***; and when the input holds a secret at all, each
 * "quoted" fragment libpq echoed is masked too unless it is a keyword, as
 * libpq also echoes tokens next to a secret ("sec ret" -> "ret").
 */
char *dsn_scrub(const char *msg, const char *const *inputs, size_t ninputs)
{
	size_t m = strlen(msg), i;
	bool *hide = util_xcalloc(m + 1, sizeof(*hide));
	struct dsn_buf b = { 0 };
	char *cur, *frag;
	const char *p, *close;
	int nsecrets = dsn_scrub_mark(msg, hide, inputs, ninputs);

	if (nsecrets < 0) {
		free(hide);
		return util_xstrdup("libpq's message is not shown, as the target holds more "
				    "passwords than it can be checked against");
	}
	for (i = 0; i < m; i++) {
		if (!hide[i])
			dsn_buf_putc(&b, msg[i]);
		else if (i == 0 || !hide[i - 1])
			dsn_buf_puts(&b, DSN_MASK);
	}
	free(hide);
	cur = dsn_buf_take(&b);
	if (nsecrets == 0)
		return cur;
	b = (struct dsn_buf){ 0 };
	for (p = cur; *p;) {
		if (*p != '"') {
			dsn_buf_putc(&b, *p++);
			continue;
		}
		close = strchr(p + 1, '"');
		if (close == NULL) {
			dsn_buf_puts(&b, "\"" DSN_MASK);
			break;
		}
		dsn_buf_putc(&b, '"');
		frag = util_xmalloc((size_t)(close - p));
		memcpy(frag, p + 1, (size_t)(close - p - 1));
		frag[close - p - 1] = '\0';
		if (dsn_is_harmless(frag, inputs, ninputs)) {
			dsn_buf_puts(&b, frag);
		} else if (strstr(frag, "://") != NULL) {
			char *masked = dsn_mask_password(frag);

			dsn_buf_puts(&b, masked);
			free(masked);
		} else {
			dsn_buf_puts(&b, DSN_MASK);
		}
		free(frag);
		dsn_buf_putc(&b, '"');
		p = close + 1;
	}
	free(cur);
	return dsn_buf_take(&b);
}
