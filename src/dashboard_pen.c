/*
 * dashboard_pen: how the dashboard writes: colours by role, text cut by
 * display width (never inside a character), the pen that lays out lines in
 * a rectangle (a dry pen only measures), and the small formats of times.
 */
#include "dashboard_priv.h"
#include "classify.h"
#include "holders.h"
#include "text.h"
#include "util.h"

#include <langinfo.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* A target's label with detail 0 (its name) to 4 (all of it and its number). */
static void dashboard_label_at(const struct target *t, int detail, char *out, size_t n)
{
	const struct dsn_target *x = &t->dsn;
	const char *db = x->dbname ? x->dbname : x->user ? x->user : "";
	const char *user = x->user ? x->user : "";
	const char *ssl = x->sslmode ? x->sslmode : "prefer";

	if (detail == 0)
		snprintf(out, n, "%s", x->name);
	else if (detail == 1)
		snprintf(out, n, "%s/%s", x->name, db);
	else if (detail == 2)
		snprintf(out, n, "%s@%s/%s", user, x->name, db);
	else if (detail == 3)
		snprintf(out, n, "%s@%s/%s?sslmode=%s", user, x->name, db, ssl);
	else
		snprintf(out, n, "%s@%s/%s?sslmode=%s #%d", user, x->name, db, ssl, t->index + 1);
}

/* The shortest label of t that no other target of the same name shares. */
static void dashboard_label_of(const struct dashboard *d, const struct target *t, char *out,
			       size_t n)
{
	int ntargets = sched_ntargets(d->s);
	char other[256];

	for (int detail = 0; detail < 4; detail++) {
		bool unique = true;

		dashboard_label_at(t, detail, out, n);
		for (int i = 0; i < ntargets && unique; i++) {
			const struct target *o = sched_target(d->s, i);

			if (o == t || strcmp(o->dsn.name, t->dsn.name) != 0)
				continue;
			dashboard_label_at(o, detail, other, sizeof(other));
			unique = strcmp(other, out) != 0;
		}
		if (unique)
			return;
	}
	dashboard_label_at(t, 4, out, n);
}

static struct sched *dashboard_sort_s; /* qsort's comparator has no argument */

static int dashboard_name_cmp(const void *a, const void *b)
{
	return strcmp(sched_target(dashboard_sort_s, *(const int *)a)->dsn.name,
		      sched_target(dashboard_sort_s, *(const int *)b)->dsn.name);
}

void dashboard_labels_free(struct dashboard *d)
{
	for (int i = 0; i < d->nlabels; i++)
		free(d->labels[i]);
	free(d->labels);
	d->labels = NULL;
	d->nlabels = 0;
}

void dashboard_labels_refresh(struct dashboard *d)
{
	int n = sched_ntargets(d->s), *by_name;
	char label[256];

	if (n == d->nlabels)
		return;
	dashboard_labels_free(d);
	d->labels = util_xcalloc((size_t)n, sizeof(*d->labels));
	by_name = util_xcalloc((size_t)n, sizeof(*by_name));
	for (int i = 0; i < n; i++)
		by_name[i] = i;
	/* names sorted: only a target that shares its name needs a longer label */
	dashboard_sort_s = d->s;
	qsort(by_name, (size_t)n, sizeof(*by_name), dashboard_name_cmp);
	for (int i = 0; i < n; i++) {
		const struct target *t = sched_target(d->s, by_name[i]);
		bool shared = (i > 0 && dashboard_name_cmp(&by_name[i - 1], &by_name[i]) == 0) ||
			      (i + 1 < n && dashboard_name_cmp(&by_name[i + 1], &by_name[i]) == 0);

		if (shared)
			dashboard_label_of(d, t, label, sizeof(label));
		else
			dashboard_label_at(t, 0, label, sizeof(label));
		d->labels[by_name[i]] = util_xstrdup(label);
	}
	free(by_name);
	d->nlabels = n;
}

const char *dashboard_target_label(const struct dashboard *d, const struct target *t, char *out,
				   size_t n)
{
	if (t->index < d->nlabels)
		return d->labels[t->index];
	dashboard_label_of(d, t, out, n);
	return out;
}

struct dashboard_pen dashboard_pen_make(int y, int x, int w, int bottom)
{
	return (struct dashboard_pen){
		.y = y, .x = x, .w = w, .bottom = bottom, .field_col = -1, .full = true
	};
}

/* ---------------------------------------------------------------- colours */

struct dashboard_style {
	short fg, bg;
	attr_t color_attr; /* with colours */
	attr_t mono_attr;  /* without: NO_COLOR, --no-color, monochrome terminals */
};

static const struct dashboard_style dashboard_styles[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_VALUE] = { -1, -1, A_BOLD, A_BOLD },
	[ROLE_LABEL] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_OK] = { COLOR_GREEN, -1, A_BOLD, A_NORMAL },
	[ROLE_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_BAD] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_NOTE] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[ROLE_BAR] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[ROLE_UP] = { COLOR_BLACK, COLOR_GREEN, A_BOLD, A_REVERSE },
	[ROLE_DEGRADED] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE },
	[ROLE_DOWN] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_WAITING] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
	[ROLE_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE },
};

void dashboard_colors_init(struct dashboard *d)
{
	bool color = d->o->color && has_colors() && start_color() == OK;
	bool defaults = color && use_default_colors() == OK;

	for (int i = 0; i < ROLE_COUNT; i++) {
		const struct dashboard_style *st = &dashboard_styles[i];
		short fg = st->fg, bg = st->bg;

		if (!color || COLOR_PAIRS <= ROLE_COUNT || (fg < 0 && bg < 0)) {
			d->attr[i] = color ? st->color_attr : st->mono_attr;
			continue;
		}
		/* Without default colours, -1 is not a colour: assume white on black. */
		if (!defaults) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		init_pair((short)i, fg, bg);
		d->attr[i] = COLOR_PAIR(i) | st->color_attr;
	}
}

enum dashboard_role dashboard_health_badge(enum target_health h)
{
	switch (h) {
	case TARGET_UP: return ROLE_UP;
	case TARGET_DEGRADED: return ROLE_DEGRADED;
	case TARGET_DOWN: return ROLE_DOWN;
	default: return ROLE_WAITING;
	}
}

enum dashboard_role dashboard_health_text(enum target_health h)
{
	switch (h) {
	case TARGET_UP: return ROLE_OK;
	case TARGET_DEGRADED: return ROLE_WARN;
	case TARGET_DOWN: return ROLE_BAD;
	default: return ROLE_LABEL;
	}
}

/* ---------------------------------------------------------------- text */

/*
 * What marks clipped text: the locale's ellipsis, or '~' in ASCII. Set
 * once with the screen, like curses' own idea of the terminal.
 */
wchar_t dashboard_ellipsis = L'~';

/*
 * Writes s at (y, x) in at most w columns. Server messages may be any
 * bytes, so the text is drawn in its terminal form (text_terminal: control
 * characters, escape sequences and bidi overrides shown visibly, never
 * sent), cut by display width, never inside a character, and a cut shows
 * as an ellipsis in the last column. Returns the columns used.
 */
static int dashboard_text_draw(int y, int x, int w, attr_t a, const char *raw, bool draw)
{
	/* 510 characters of the widest form (\u{10FFFF}) fit: more never shows */
	char safe[8192];
	const char *s = text_terminal(safe, raw, sizeof(safe), text_locale_utf8());
	wchar_t buf[512];
	mbstate_t st;
	size_t left = strlen(s); /* counted down: strlen per character would be quadratic */
	int used = 0, n = 0, fit_n = 0, fit_used = 0;
	bool cut = false;

	if (draw && (y < 0 || y >= LINES || x < 0 || x >= COLS))
		return 0;
	if (w <= 0)
		return 0;
	if (draw && w > COLS - x)
		w = COLS - x;
	while (*s && n < (int)(sizeof(buf) / sizeof(buf[0])) - 2) {
		wchar_t wc;
		size_t len;
		int cw = text_char_width(s, left, &len);

		memset(&st, 0, sizeof(st));
		if (mbrtowc(&wc, s, len, &st) != len || wcwidth(wc) < 0)
			wc = L'?';
		if (used + cw > w) {
			cut = true;
			break;
		}
		buf[n++] = wc;
		used += cw;
		/* Where the text stops if the ellipsis has to follow it. */
		if (used <= w - 1) {
			fit_n = n;
			fit_used = used;
		}
		s += len;
		left -= len;
	}
	if (cut) {
		n = fit_n;
		used = fit_used;
		buf[n++] = dashboard_ellipsis;
		used++;
	}
	buf[n] = L'\0';
	if (draw) {
		attron(a);
		mvaddnwstr(y, x, buf, n);
		attroff(a);
	}
	return used;
}

int dashboard_text(int y, int x, int w, attr_t a, const char *s)
{
	return dashboard_text_draw(y, x, w, a, s, true);
}

/* Display width of s as the dashboard draws it (its terminal form). */
int dashboard_text_width(const char *s)
{
	char safe[8192];

	return text_width(text_terminal(safe, s, sizeof(safe), text_locale_utf8()));
}

/*
 * Marks the pen's line as clipped: an ellipsis after what is there, and
 * nothing more on it. On a full line the ellipsis takes the place of the
 * last whole field if that came last (a number is never cut), else of the
 * last character.
 */
static void dashboard_pen_clip(struct dashboard_pen *p, attr_t a)
{
	wchar_t e[2] = { dashboard_ellipsis, L'\0' };

	if (p->clipped)
		return;
	p->clipped = true;
	if (p->dry || p->y >= p->bottom || p->w < 1 || p->y >= LINES)
		return;
	if (p->col >= p->w && p->field_col >= 0) {
		p->col = p->field_col;
		for (int c = p->col; c < p->w && p->x + c < COLS; c++)
			mvaddch(p->y, p->x + c, ' ');
	} else if (p->col > 0 && p->col < p->w - 1) {
		/* Apart from what it follows, so "0.25 …" does not read as a cut number. */
		p->col++;
	}
	if (p->col > p->w - 1)
		p->col = p->w - 1;
	if (p->x + p->col < COLS) {
		attron(a);
		mvaddnwstr(p->y, p->x + p->col, e, 1);
		attroff(a);
	}
	p->col = p->w;
}

static void dashboard_pen_vadd(struct dashboard_pen *p, attr_t a, bool whole, const char *fmt,
			       va_list ap)
{
	char buf[1024];
	size_t len;
	int width;

	if (p->y >= p->bottom || p->clipped)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	width = dashboard_text_width(buf);
	/* Padding that does not fit is no loss: only text is. */
	if (p->col + width > p->w) {
		len = strlen(buf);
		while (len > 0 && buf[len - 1] == ' ')
			buf[--len] = '\0';
		if (len == 0)
			return;
		width = dashboard_text_width(buf);
	}
	/* Text past the edge, or a field that would not fit whole: say so. */
	if (p->col >= p->w || (whole && p->col + width > p->w)) {
		dashboard_pen_clip(p, a);
		return;
	}
	/* A dry pen measures too, so wrapped lines count the same. */
	dashboard_text_draw(p->y, p->x + p->col, p->w - p->col, a, buf, !p->dry);
	p->field_col = whole ? p->col + (int)strspn(buf, " ") : -1;
	if (p->col + width > p->w) {
		/* Cut, and the cut shows as an ellipsis: nothing more on this line. */
		p->clipped = true;
		p->col = p->w;
	} else {
		p->col += width;
	}
}

void dashboard_pen_add(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dashboard_pen_vadd(p, a, false, fmt, ap);
	va_end(ap);
}

/*
 * A field that is shown whole or not at all, like a number: when it does
 * not fit, the line ends in an ellipsis there and takes nothing more.
 */

void dashboard_pen_field(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dashboard_pen_vadd(p, a, true, fmt, ap);
	va_end(ap);
}

/* Moves the cursor to column col of the line; past it, leaves one space. */
void dashboard_pen_at(struct dashboard_pen *p, int col)
{
	p->col = col > p->col ? col : p->col + 1;
}

void dashboard_pen_nl(struct dashboard_pen *p)
{
	p->y++;
	p->col = 0;
	p->clipped = false;
	p->field_col = -1;
}

/*
 * Where to break text for a line of avail columns: at the last space that
 * keeps the line within avail, else (one long word) at avail, never inside
 * a UTF-8 character. Returns the bytes of text on the line.
 */
int dashboard_wrap_cut(const char *text, int avail)
{
	int len = (int)strlen(text), cut;

	if (avail < 1)
		avail = 1;
	if (len <= avail || dashboard_text_width(text) <= avail)
		return len;
	cut = avail;
	while (cut > 0 && text[cut] != ' ')
		cut--;
	if (cut == 0) {
		cut = avail;
		while (cut > 1 && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut--;
	}
	return cut;
}

/*
 * Writes text from the cursor, word-wrapped to the pen's width, continuing
 * at column indent, over at most maxlines lines (the last one is clipped).
 * With fill, each line is painted to the edge (banners). Ends on a new line.
 */

void dashboard_pen_wrap(struct dashboard_pen *p, attr_t a, int indent, int maxlines, bool fill,
			const char *raw)
{
	/* cut the terminal form, so each line measures what it shows */
	char *safe = text_terminal_dup(raw, text_locale_utf8());
	const char *text = safe;

	for (int line = 0; line < maxlines && *text; line++) {
		int cut = line < maxlines - 1 ? dashboard_wrap_cut(text, p->w - p->col)
					      : (int)strlen(text);

		dashboard_pen_add(p, a, "%.*s", cut, text);
		if (fill)
			dashboard_pen_fill(p, a);
		dashboard_pen_nl(p);
		p->col = indent;
		text += cut;
		while (*text == ' ')
			text++;
	}
	p->col = 0;
	free(safe);
}

/* Paints the rest of the line in attribute a (bars, banners). */
void dashboard_pen_fill(struct dashboard_pen *p, attr_t a)
{
	if (p->dry || p->y >= p->bottom || p->y >= LINES)
		return;
	for (int c = p->col; c < p->w && p->x + c < COLS; c++)
		mvaddch(p->y, p->x + c, ' ' | a);
	p->col = p->w;
}

/*
 * Box drawing from the locale rather than the terminal's alternate
 * character set, which tmux's capture-pane and some terminals show as
 * letters.
 */

static const char *dashboard_line_glyph(const struct dashboard *d, enum dashboard_line g)
{
	static const char *const utf8[LINE_COUNT] = { "\u2500", "\u2502", "\u250c",
						      "\u2510", "\u2514", "\u2518" };
	static const char *const ascii[LINE_COUNT] = { "-", "|", "+", "+", "+", "+" };

	return d->utf8 ? utf8[g] : ascii[g];
}

/* n glyphs g from (y, x) rightwards (vertical: downwards), clipped. */
void dashboard_line(const struct dashboard *d, enum dashboard_line g, int y, int x, int n,
		    bool vertical, attr_t a)
{
	const char *glyph = dashboard_line_glyph(d, g);

	for (int i = 0; i < n; i++)
		dashboard_text(vertical ? y + i : y, vertical ? x : x + i, 1, a, glyph);
}

void dashboard_pen_title(struct dashboard_pen *p, const struct dashboard *d, const char *title,
			 const char *note)
{
	if (!p->dry && p->y < p->bottom && p->y < LINES) {
		dashboard_line(d, LINE_H, p->y, p->x, 1, false, d->attr[ROLE_LABEL]);
		p->col = 1;
		dashboard_pen_add(p, d->attr[ROLE_TITLE], " %s ", title);
		if (note && note[0])
			dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s ", note);
		if (p->w > p->col)
			dashboard_line(d, LINE_H, p->y, p->x + p->col, p->w - p->col, false,
				       d->attr[ROLE_LABEL]);
	}
	dashboard_pen_nl(p);
}

/* ---------------------------------------------------------------- formats */

char *dashboard_fmt_duration(double s, char *out, size_t n)
{
	long v = s < 0 ? 0 : (long)s;

	if (v < 60)
		snprintf(out, n, "%lds", v);
	else if (v < 3600)
		snprintf(out, n, "%ldm%02lds", v / 60, v % 60);
	else if (v < 86400)
		snprintf(out, n, "%ldh%02ldm", v / 3600, v % 3600 / 60);
	else
		snprintf(out, n, "%ldd%02ldh", v / 86400, v % 86400 / 3600);
	return out;
}

char *dashboard_fmt_clock(const struct timespec *ts, bool ms, char *out, size_t n)
{
	struct tm tm;
	time_t sec = ts->tv_sec;
	char hms[16];

	if (sec == 0 || localtime_r(&sec, &tm) == NULL) {
		snprintf(out, n, "-");
		return out;
	}
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	if (ms)
		snprintf(out, n, "%s.%03ld", hms, ts->tv_nsec / 1000000);
	else
		snprintf(out, n, "%s", hms);
	return out;
}

char *dashboard_fmt_interval(double ms, char *out, size_t n)
{
	snprintf(out, n, "%gs", ms / 1000.0);
	return out;
}

double dashboard_seconds_since(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (double)(now.tv_sec - ts->tv_sec) + (double)(now.tv_nsec - ts->tv_nsec) / 1e9;
}

/* Milliseconds until the wall clock's next whole second, so clocks tick on time. */
double dashboard_ms_to_next_second(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return 1000.0 - (double)now.tv_nsec / 1e6 + 1.0;
}

const char *dashboard_addr_family(const char *addr)
{
	if (addr[0] == '/' || addr[0] == '@')
		return "Unix socket";
	return strchr(addr, ':') ? "IPv6" : "IPv4";
}
