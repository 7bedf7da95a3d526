/*
 * dashboard: the live ncurses view, modelled on mtr's live table and htop's
 * screen. The scheduler drives the probes; the dashboard sleeps in the same
 * poll() loop, reads targets and events, and redraws only when something
 * changed (at most ten times a second, once a second for the clocks).
 */
#include "dashboard.h"
#include "classify.h"
#include "holders.h"
#include "signals.h"
#include "util.h"

#include <curses.h>
#include <langinfo.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define DASHBOARD_MIN_COLS    40
#define DASHBOARD_MIN_ROWS    10
#define DASHBOARD_LOG	      512  /* recent probe outcomes, all targets */
#define DASHBOARD_DRAW_GAP_MS 100  /* at most ten redraws a second */
#define DASHBOARD_DEAD_TTY    50   /* empty wake-ups on stdin before we give up */
#define DASHBOARD_STATUS_MS   3000 /* how long a key's feedback stays */
#define DASHBOARD_TWO_COLUMNS 110  /* narrower screens stack the panels */

enum dashboard_view {
	VIEW_TABLE,  /* one row per target, like mtr's hops */
	VIEW_DETAIL, /* every panel of the selected target */
	VIEW_EVENTS, /* the selected target's lifecycle events, full screen */
};

enum dashboard_role {
	ROLE_NORMAL,
	ROLE_VALUE,
	ROLE_LABEL,
	ROLE_TITLE,
	ROLE_OK,
	ROLE_WARN,
	ROLE_BAD,
	ROLE_NOTE,
	ROLE_BAR,
	ROLE_UP,
	ROLE_DEGRADED,
	ROLE_DOWN,
	ROLE_WAITING,
	ROLE_SELECTED,
	ROLE_COUNT
};

/* One probe's outcome, kept so older failure lines still show SQLSTATE and advice. */
struct dashboard_probe {
	int target;
	uint64_t seq;
	struct timespec wall;
	bool ok;
	double phase_ms[PROBE_PHASE_COUNT];
	int backend_pid;
	enum classify_class cls;
	enum probe_phase failed_phase;
	char sqlstate[6];
	const char *advice; /* static, from classify */
	char message[200];
};

struct dashboard {
	struct sched *s;
	const struct app_options *o;
	double turn_ms; /* when the last turn of the loop returned */
	SCREEN *screen;
	bool quit, dirty, resized, want_prompt, help;
	enum dashboard_view view, back_view;
	int current; /* selected target */
	/*
	 * Events view: lines scrolled back from the newest when the target had
	 * seen scroll_total events. Anchored so, new events do not move what
	 * is on screen while one reads back (0: follow the newest).
	 */
	int scroll;
	uint64_t scroll_total;
	int help_scroll; /* help overlay: rows scrolled down when it does not fit */
	bool utf8;
	attr_t attr[ROLE_COUNT];
	int empty_reads; /* consecutive stdin wake-ups without a key */
	double next_draw_ms, next_tick_ms;
	char status[120]; /* a key's feedback, e.g. "interval 2s" */
	double status_until_ms;
	struct dashboard_probe log[DASHBOARD_LOG];
	unsigned log_head, log_len;
	const char **last_advice; /* per target: the advice the probe log showed last */
	size_t last_advice_cap;
};

/*
 * Drawing goes through a pen: a rectangle [y, bottom) x [x, x + w) and a
 * cursor. A dry pen only counts lines, which is how the layout learns each
 * panel's height without a second description of it.
 */
struct dashboard_pen {
	int y, x, w, bottom;
	int col;
	bool dry;
	bool clipped;  /* the line ran out of room and says so; nothing more on it */
	int field_col; /* where the last thing added, a whole field, shows; else -1 */
	bool full;     /* panels: every detail (else the compact form) */
};

static struct dashboard_pen dashboard_pen_make(int y, int x, int w, int bottom)
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

static void dashboard_colors_init(struct dashboard *d)
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

static enum dashboard_role dashboard_health_badge(enum target_health h)
{
	switch (h) {
	case TARGET_UP: return ROLE_UP;
	case TARGET_DEGRADED: return ROLE_DEGRADED;
	case TARGET_DOWN: return ROLE_DOWN;
	default: return ROLE_WAITING;
	}
}

static enum dashboard_role dashboard_health_text(enum target_health h)
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
static wchar_t dashboard_ellipsis = L'~';

/*
 * Writes s at (y, x) in at most w columns. Server messages may be any
 * UTF-8, so the text is cut by display width, never inside a character,
 * and a cut shows as an ellipsis in the last column; control characters
 * become spaces. Returns the columns used.
 */
static int dashboard_text_draw(int y, int x, int w, attr_t a, const char *s, bool draw)
{
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
	memset(&st, 0, sizeof(st));
	while (*s && n < (int)(sizeof(buf) / sizeof(buf[0])) - 2) {
		wchar_t wc;
		size_t len = mbrtowc(&wc, s, left, &st);
		int cw;

		if (len == (size_t)-1 || len == (size_t)-2) {
			wc = L'?';
			len = 1;
			memset(&st, 0, sizeof(st));
		} else if (len == 0) {
			break;
		}
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L' ';
			cw = 1;
		}
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

static int dashboard_text(int y, int x, int w, attr_t a, const char *s)
{
	return dashboard_text_draw(y, x, w, a, s, true);
}

/* Display width of s (up to a screen's worth). */
static int dashboard_text_width(const char *s)
{
	return dashboard_text_draw(0, 0, 1 << 16, A_NORMAL, s, false);
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

static void dashboard_pen_add(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dashboard_pen_add(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
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
static void dashboard_pen_field(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dashboard_pen_field(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dashboard_pen_vadd(p, a, true, fmt, ap);
	va_end(ap);
}

/* Moves the cursor to column col of the line; past it, leaves one space. */
static void dashboard_pen_at(struct dashboard_pen *p, int col)
{
	p->col = col > p->col ? col : p->col + 1;
}

static void dashboard_pen_nl(struct dashboard_pen *p)
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
static int dashboard_wrap_cut(const char *text, int avail)
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
static void dashboard_pen_fill(struct dashboard_pen *p, attr_t a);

static void dashboard_pen_wrap(struct dashboard_pen *p, attr_t a, int indent, int maxlines,
			       bool fill, const char *text)
{
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
}

/* Paints the rest of the line in attribute a (bars, banners). */
static void dashboard_pen_fill(struct dashboard_pen *p, attr_t a)
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
enum dashboard_line { LINE_H, LINE_V, LINE_TL, LINE_TR, LINE_BL, LINE_BR, LINE_COUNT };

static const char *dashboard_line_glyph(const struct dashboard *d, enum dashboard_line g)
{
	static const char *const utf8[LINE_COUNT] = { "\u2500", "\u2502", "\u250c",
						      "\u2510", "\u2514", "\u2518" };
	static const char *const ascii[LINE_COUNT] = { "-", "|", "+", "+", "+", "+" };

	return d->utf8 ? utf8[g] : ascii[g];
}

/* n glyphs g from (y, x) rightwards (vertical: downwards), clipped. */
static void dashboard_line(const struct dashboard *d, enum dashboard_line g, int y, int x, int n,
			   bool vertical, attr_t a)
{
	const char *glyph = dashboard_line_glyph(d, g);

	for (int i = 0; i < n; i++)
		dashboard_text(vertical ? y + i : y, vertical ? x : x + i, 1, a, glyph);
}

static void dashboard_pen_title(struct dashboard_pen *p, const struct dashboard *d,
				const char *title, const char *note)
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

static char *dashboard_fmt_duration(double s, char *out, size_t n)
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

static char *dashboard_fmt_clock(const struct timespec *ts, bool ms, char *out, size_t n)
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

static char *dashboard_fmt_interval(double ms, char *out, size_t n)
{
	snprintf(out, n, "%gs", ms / 1000.0);
	return out;
}

static double dashboard_seconds_since(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (double)(now.tv_sec - ts->tv_sec) + (double)(now.tv_nsec - ts->tv_nsec) / 1e9;
}

/* Milliseconds until the wall clock's next whole second, so clocks tick on time. */
static double dashboard_ms_to_next_second(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return 1000.0 - (double)now.tv_nsec / 1e6 + 1.0;
}

static const char *dashboard_addr_family(const char *addr)
{
	if (addr[0] == '/' || addr[0] == '@')
		return "Unix socket";
	return strchr(addr, ':') ? "IPv6" : "IPv4";
}

/* ---------------------------------------------------------------- probe log */

static void dashboard_log_push(struct dashboard *d, const struct target *t,
			       const struct probe_result *r)
{
	struct dashboard_probe *e = &d->log[d->log_head];

	memset(e, 0, sizeof(*e));
	e->target = t->index;
	e->seq = r->seq;
	e->wall = r->wall;
	e->ok = r->ok;
	memcpy(e->phase_ms, r->phase_ms, sizeof(e->phase_ms));
	e->backend_pid = r->backend_pid;
	e->cls = r->error.cls;
	e->failed_phase = r->failed_phase;
	util_strlcpy(e->sqlstate, r->error.sqlstate, sizeof(e->sqlstate));
	e->advice = r->ok ? NULL : r->error.advice;
	util_strlcpy(e->message, r->error.message, sizeof(e->message));
	d->log_head = (d->log_head + 1) % DASHBOARD_LOG;
	if (d->log_len < DASHBOARD_LOG)
		d->log_len++;
}

/* i = 0 is the newest entry; NULL past the end. */
static const struct dashboard_probe *dashboard_log_get(const struct dashboard *d, unsigned i)
{
	if (i >= d->log_len)
		return NULL;
	return &d->log[(d->log_head + DASHBOARD_LOG - 1 - i) % DASHBOARD_LOG];
}

static const struct dashboard_probe *dashboard_log_find(const struct dashboard *d, int target,
							uint64_t seq)
{
	const struct dashboard_probe *e;

	for (unsigned i = 0; (e = dashboard_log_get(d, i)) != NULL; i++)
		if (e->target == target && e->seq == seq)
			return e;
	return NULL;
}

static const struct dashboard_probe *dashboard_last_failure(const struct dashboard *d, int target)
{
	const struct dashboard_probe *e;

	for (unsigned i = 0; (e = dashboard_log_get(d, i)) != NULL; i++)
		if (e->target == target && !e->ok)
			return e;
	return NULL;
}

/*
 * One line per probe, newest first. A failure shows class, SQLSTATE and
 * message, then its advice on a line of its own unless a newer line of the
 * same target already gave it (an incident repeats itself).
 * last_advice holds, per target, the advice shown last.
 */
static void dashboard_probe_line(struct dashboard *d, struct dashboard_pen *p,
				 const struct dashboard_probe *e, bool with_target,
				 const char **last_advice)
{
	char pid[16];
	char clock[32], ms[32];

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s ",
			  dashboard_fmt_clock(&e->wall, false, clock, sizeof(clock)));
	if (with_target)
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "%-18.18s ",
				  sched_target(d->s, e->target)->dsn.name);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "#%-5llu ", (unsigned long long)e->seq);
	if (e->ok) {
		dashboard_pen_add(p, d->attr[ROLE_OK], "ok   ");
		dashboard_pen_field(p, d->attr[ROLE_VALUE], "%9s",
				    util_fmt_ms(e->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
		dashboard_pen_field(p, d->attr[ROLE_NORMAL], "  pid %-7s",
				    probe_pid_text(e->backend_pid, pid, sizeof(pid)));
		/* Narrow screens drop whole phases from the end, never half a number. */
		for (int i = 0; i < PROBE_TOTAL; i++)
			dashboard_pen_field(p, d->attr[ROLE_LABEL], " %s %.2f", probe_phase_name(i),
					    isnan(e->phase_ms[i]) ? 0.0 : e->phase_ms[i]);
		dashboard_pen_nl(p);
		return;
	}
	dashboard_pen_field(p, d->attr[ROLE_BAD], "FAIL %s", classify_class_name(e->cls));
	if (e->sqlstate[0])
		dashboard_pen_field(p, d->attr[ROLE_VALUE], " %s", e->sqlstate);
	/* The message is text and may be cut; the numbers after it go whole or not at all. */
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], " %s", e->message);
	dashboard_pen_field(p, d->attr[ROLE_LABEL], " (in %s after %s)",
			    probe_phase_name(e->failed_phase),
			    util_fmt_ms(e->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
	dashboard_pen_nl(p);
	if (e->advice && e->advice[0] && e->advice != last_advice[e->target]) {
		dashboard_pen_at(p, 9);
		dashboard_pen_add(p, d->attr[ROLE_WARN], "advice: %s", e->advice);
		dashboard_pen_nl(p);
		last_advice[e->target] = e->advice;
	}
}

/* Recent probes of one target (target >= 0) or of all (-1). */
static void dashboard_probe_log(struct dashboard *d, struct dashboard_pen *p, int target)
{
	const struct dashboard_probe *e;
	size_t n = (size_t)sched_ntargets(d->s);
	bool any = false;

	/* Kept across frames, grown when the prompt adds a target. */
	if (n > d->last_advice_cap) {
		d->last_advice = util_xrealloc(d->last_advice, n * sizeof(*d->last_advice));
		d->last_advice_cap = n;
	}
	memset(d->last_advice, 0, n * sizeof(*d->last_advice));

	for (unsigned i = 0; p->y < p->bottom && (e = dashboard_log_get(d, i)) != NULL; i++) {
		if (target >= 0 && e->target != target)
			continue;
		dashboard_probe_line(d, p, e, target < 0, d->last_advice);
		any = true;
	}
	if (!any) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "  no probe has finished yet");
		dashboard_pen_nl(p);
	}
}

/* ---------------------------------------------------------------- panels */

typedef void (*dashboard_panel_fn)(struct dashboard *d, struct target *t, struct dashboard_pen *p);

static void dashboard_panel_server(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct probe_result *ok = t->have_last_ok ? &t->last_ok : NULL;
	char pid[16];
	const char *addr = t->have_last && t->last.used_addr[0] ? t->last.used_addr
			   : ok					? ok->used_addr
								: "";
	int recovery = t->have_inspect && t->inspect.valid ? t->inspect.in_recovery
		       : ok				   ? ok->in_recovery
							   : -1;

	dashboard_pen_title(p, d, "Server", NULL);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "version      ");
	if (ok)
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "PostgreSQL %s", ok->server_version);
	else
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "- (no successful probe yet)");
	dashboard_pen_nl(p);

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "backend pid  ");
	if (t->have_last && t->last.ok)
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s",
				  probe_pid_text(t->last.backend_pid, pid, sizeof(pid)));
	else if (ok)
		dashboard_pen_add(p, d->attr[ROLE_WARN], "- (last ok: %s)",
				  probe_pid_text(ok->backend_pid, pid, sizeof(pid)));
	else
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	dashboard_pen_at(p, 28);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "in_recovery ");
	if (recovery < 0)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	else
		dashboard_pen_add(p, d->attr[recovery ? ROLE_WARN : ROLE_VALUE], "%s",
				  recovery ? "yes (standby)" : "no (primary)");
	dashboard_pen_nl(p);

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "address      ");
	if (addr[0] == '\0') {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	} else {
		bool v6 = strchr(addr, ':') != NULL && addr[0] != '/';

		dashboard_pen_add(p, d->attr[ROLE_VALUE], v6 ? "[%s]" : "%s", addr);
		if (addr[0] != '/')
			dashboard_pen_add(p, d->attr[ROLE_VALUE], ":%s", t->dsn.port);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " (%s", dashboard_addr_family(addr));
		if (t->have_last && t->last.naddrs > 1)
			dashboard_pen_add(p, d->attr[ROLE_NORMAL], ", %d addresses",
					  t->last.naddrs);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], ")");
	}
	dashboard_pen_nl(p);
}

static void dashboard_panel_tls(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct tls_info *tls = t->have_last_ok ? &t->last_ok.tls : NULL;
	char days[40];

	dashboard_pen_title(p, d, "TLS", NULL);
	if (tls == NULL) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "- (no successful probe yet)");
		dashboard_pen_nl(p);
		return;
	}
	if (!tls->in_use) {
		dashboard_pen_add(p, d->attr[ROLE_WARN], "not in use");
		dashboard_pen_add(p, d->attr[ROLE_LABEL], " (sslmode=%s)",
				  t->dsn.sslmode ? t->dsn.sslmode : "prefer");
		dashboard_pen_nl(p);
		return;
	}
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "protocol     ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s", tls->protocol);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "  %s (%d bits)", tls->cipher, tls->bits);
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "certificate  ");
	if (!tls->have_cert) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
		dashboard_pen_nl(p);
		return;
	}
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s", tls->subject);
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "expires      ");
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "%.10s ", tls->not_after);
	util_fmt_days_left(tls->days_left, days, sizeof(days));
	if (tls->days_left < 0)
		dashboard_pen_add(p, d->attr[ROLE_BAD], "(expired %s)", days);
	else
		dashboard_pen_add(p, d->attr[tls->days_left < 14 ? ROLE_WARN : ROLE_OK], "(%s)",
				  days);
	dashboard_pen_nl(p);
}

/*
 * The server-side timeouts that end an application's connections, with the
 * pg_settings source. Anything not at its built-in default is highlighted:
 * a role-level statement_timeout is exactly what people forget.
 */
static const char *const dashboard_timeouts[] = {
	"statement_timeout",	"idle_in_transaction_session_timeout",
	"lock_timeout",		"idle_session_timeout",
	"tcp_keepalives_idle",	"tcp_keepalives_interval",
	"tcp_keepalives_count",
};

static void dashboard_panel_timeouts(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct inspect_info *info = t->have_inspect ? &t->inspect : NULL;
	int namew = p->w - 28 < 35 ? p->w - 28 : 35, defaults = 0;
	struct probe_config pc;
	char buf[32];

	if (namew < 12)
		namew = 12;
	dashboard_pen_title(p, d, "Timeouts", "value / source");
	if (info == NULL || !info->valid) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s",
				  info && info->error[0] ? info->error : "- (not read yet)");
		dashboard_pen_nl(p);
	} else {
		for (size_t i = 0; i < sizeof(dashboard_timeouts) / sizeof(dashboard_timeouts[0]);
		     i++) {
			const struct inspect_setting *st =
				inspect_setting(info, dashboard_timeouts[i]);
			bool unusual = st && strcmp(st->source, "default") != 0;

			/* Compact: only what someone set; defaults are what one expects. */
			if (!p->full && !unusual) {
				defaults++;
				continue;
			}

			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_NORMAL], "%-*.*s",
					  namew, namew, dashboard_timeouts[i]);
			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_VALUE], " %7s",
					  st ? st->value : "-");
			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_LABEL], "  %s",
					  st ? st->source : "");
			dashboard_pen_nl(p);
		}
		if (defaults > 0) {
			dashboard_pen_add(p, d->attr[ROLE_LABEL], "%d more at their defaults",
					  defaults);
			dashboard_pen_nl(p);
		}
	}
	/* connect_timeout is the client's own: the deadline the next probe gets. */
	sched_probe_config(d->s, t, &pc);
	util_fmt_seconds(pc.connect_timeout_ms, buf, sizeof(buf));
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "%-*.*s", namew, namew, "connect_timeout");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], " %7s", buf);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  %s", pc.connect_timeout_source);
	dashboard_pen_nl(p);
}

/*
 * How full the slots are, against what clients can use (max_connections
 * less the reserved ones), with check's thresholds: 80% warning and 95%
 * critical unless -w/-c say otherwise.
 */
static enum dashboard_role dashboard_slots_role(const struct dashboard *d, int in_use, int usable)
{
	const struct report_thresholds *th = &d->o->thresholds;

	if (usable <= 0)
		return ROLE_BAD;
	for (int level = 1; level >= 0; level--) {
		enum dashboard_role role = level ? ROLE_BAD : ROLE_WARN;

		if (th->slots_pct[level] >= 0 && 100.0 * in_use / usable >= th->slots_pct[level])
			return role;
		if (th->slots_left[level] >= 0 && usable - in_use <= th->slots_left[level])
			return role;
	}
	return ROLE_OK;
}

/* "[|||||.....]  85%  3 left": the bar spans the usable slots only. */
static void dashboard_slots_bar(struct dashboard *d, struct dashboard_pen *p, int in_use,
				int usable, enum dashboard_role role)
{
	char tail[48];
	int bw, used, left = usable - in_use > 0 ? usable - in_use : 0;

	if (usable <= 0) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "no usable slots");
		dashboard_pen_nl(p);
		return;
	}
	snprintf(tail, sizeof(tail), " %3d%%  %d left", (int)lround(100.0 * in_use / usable), left);
	bw = p->w - 2 - (int)strlen(tail);
	if (bw >= 4) {
		used = (int)((long)in_use * bw / usable);
		if (in_use > 0 && used == 0)
			used = 1;
		if (used > bw)
			used = bw;
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "[");
		for (int i = 0; i < bw; i++)
			dashboard_pen_add(p, d->attr[i < used ? role : ROLE_LABEL], "%s",
					  i < used ? "|" : ".");
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "]");
	}
	dashboard_pen_field(p, d->attr[role], "%s", tail);
	dashboard_pen_nl(p);
}

/*
 * Who holds the slots. Compact: the count, the bar and the culprit; full
 * adds the backends by state and the top holders.
 */
static void dashboard_panel_slots(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct inspect_info *info = t->have_inspect ? &t->inspect : NULL;
	int usable, holders;
	enum dashboard_role role;
	char culprit[256], age[32], who[160], note[64] = "";
	bool any = false;

	/* Introspection runs every few seconds and not at all while probes fail. */
	if (info && info->valid)
		snprintf(note, sizeof(note), "read %s ago",
			 dashboard_fmt_duration(dashboard_seconds_since(&t->inspect_wall), age,
						sizeof(age)));
	dashboard_pen_title(p, d, "Slots", note);
	if (info == NULL || !info->valid || info->max_connections <= 0) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s",
				  info && info->error[0] ? info->error : "- (not read yet)");
		dashboard_pen_nl(p);
		return;
	}
	usable = inspect_usable_slots(info);
	role = dashboard_slots_role(d, info->in_use, usable);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "in use ");
	dashboard_pen_add(p, d->attr[role], "%d", info->in_use);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], " / %d max_connections", info->max_connections);
	dashboard_pen_field(p, d->attr[ROLE_LABEL], " (%d reserved, %d usable)", info->reserved,
			    usable);
	dashboard_pen_nl(p);
	dashboard_slots_bar(d, p, info->in_use, usable, role);

	if (holders_culprit(info, culprit, sizeof(culprit))) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "culprit: ");
		dashboard_pen_wrap(p, d->attr[ROLE_BAD], 9, 2, false, culprit);
	}
	if (!p->full)
		return;

	for (int s = 0; s < INSPECT_STATE_COUNT; s++) {
		if (info->by_state[s] == 0)
			continue;
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s%s ", any ? "  " : "",
				  inspect_state_name(s));
		dashboard_pen_add(p, d->attr[s == INSPECT_IDLE_IN_XACT ? ROLE_WARN : ROLE_VALUE],
				  "%d", info->by_state[s]);
		any = true;
	}
	if (!any)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "no client backends");
	dashboard_pen_nl(p);

	holders = info->nholders < 3 ? info->nholders : 3;
	if (holders > 0) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%5s %-12s %-16s %3s %4s  %s", "held",
				  "application", "user@client", "act", "idle", "oldest");
		dashboard_pen_nl(p);
	}
	for (int i = 0; i < holders; i++) {
		const struct inspect_holder *h = &info->holders[i];

		snprintf(who, sizeof(who), "%s@%s", h->usename, h->client_addr);
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "%5d ", h->count);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], "%-12.12s %-16.16s",
				  h->application_name[0] ? h->application_name : "(none)", who);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " %3d %4d", h->active, h->idle);
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "  %s",
				  dashboard_fmt_duration(h->oldest_s, age, sizeof(age)));
		if (h->idle_in_transaction)
			dashboard_pen_add(p, d->attr[ROLE_WARN], " %d idle in xact",
					  h->idle_in_transaction);
		dashboard_pen_nl(p);
	}
}

static void dashboard_panel_latency(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	static const double pct[] = { 50, 95, 99 };
	static const char *const columns[] = { "last", "p50", "p95", "p99", "max" };
	char buf[64], spark[4 * 512];
	const char *c;
	unsigned width;

	dashboard_pen_title(p, d, "Latency", "successful probes");
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "%-6s", "phase");
	for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++)
		dashboard_pen_field(p, d->attr[ROLE_LABEL], "%9s", columns[k]);
	dashboard_pen_nl(p);
	/* Compact: the total and the trend; full: every phase. */
	for (int i = p->full ? 0 : PROBE_TOTAL; i < PROBE_PHASE_COUNT; i++) {
		const struct stats_hist *h = &t->phase[i];
		attr_t a = d->attr[i == PROBE_TOTAL ? ROLE_VALUE : ROLE_NORMAL];

		dashboard_pen_add(p, d->attr[i == PROBE_TOTAL ? ROLE_VALUE : ROLE_LABEL], "%-6s",
				  probe_phase_name(i));
		dashboard_pen_field(p, a, "%9s", util_fmt_ms(h->last, buf, sizeof(buf)));
		for (size_t k = 0; k < sizeof(pct) / sizeof(pct[0]); k++)
			dashboard_pen_field(
				p, a, "%9s",
				util_fmt_ms(stats_hist_percentile(h, pct[k]), buf, sizeof(buf)));
		dashboard_pen_field(p, a, "%9s", util_fmt_ms(h->max, buf, sizeof(buf)));
		dashboard_pen_nl(p);
	}
	/* The sparkline: one cell per probe, failures marked in red. */
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "%-6s", "trend");
	width = p->w > 8 ? (unsigned)(p->w - 7) : 1;
	if (width > 512)
		width = 512;
	stats_sparkline(&t->total_ring, width, d->utf8, spark, sizeof(spark));
	for (c = spark; *c;) {
		bool fail = *c == '!' || *c == 'x';
		size_t len = fail || (unsigned char)*c < 0x80 ? 1 : (size_t)mblen(c, MB_CUR_MAX);
		char one[8];

		if (len == 0 || len >= sizeof(one) || len == (size_t)-1)
			len = 1;
		memcpy(one, c, len);
		one[len] = '\0';
		dashboard_pen_add(p, d->attr[fail ? ROLE_BAD : ROLE_OK], "%s", one);
		c += len;
	}
	if (t->total_ring.len == 0)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	dashboard_pen_nl(p);
}

static void dashboard_panel_counters(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct target_incident *open = target_open_incident(t);
	uint64_t failed = t->probes - t->ok;
	double current, longest;
	char buf[32];
	bool any = false;

	dashboard_pen_title(p, d, "Counters", NULL);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "probes ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%llu", (unsigned long long)t->probes);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  ok ");
	dashboard_pen_add(p, d->attr[ROLE_OK], "%llu", (unsigned long long)t->ok);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  failed ");
	dashboard_pen_add(p, d->attr[failed ? ROLE_BAD : ROLE_VALUE], "%llu",
			  (unsigned long long)failed);
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "connections of ours open now ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%d", t->open_connections);
	if (sched_ntargets(d->s) > 1)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], " (all targets %d)",
				  sched_open_connections(d->s));
	dashboard_pen_nl(p);

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "failures");
	for (int c = 1; c < CLASS_COUNT; c++) {
		if (t->failures[c] == 0)
			continue;
		dashboard_pen_add(p, d->attr[ROLE_BAD], " %s", classify_class_name(c));
		dashboard_pen_add(p, d->attr[ROLE_VALUE], " %llu",
				  (unsigned long long)t->failures[c]);
		any = true;
	}
	if (!any)
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " none");
	dashboard_pen_nl(p);

	/* The outage going on counts by the clock, so the longest is at least as long. */
	current = t->outage_start_ms > 0 ? util_now_ms() - t->outage_start_ms : 0;
	longest = t->longest_outage_ms > current ? t->longest_outage_ms : current;
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "outages  longest ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s",
			  longest > 0 ? util_fmt_ms(longest, buf, sizeof(buf)) : "none");
	if (t->outage_start_ms > 0)
		dashboard_pen_add(p, d->attr[ROLE_BAD], "  current %s",
				  util_fmt_ms(current, buf, sizeof(buf)));
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "max_clients incidents ");
	dashboard_pen_add(p, d->attr[open ? ROLE_BAD : ROLE_VALUE], "%llu%s",
			  (unsigned long long)t->incidents_total, open ? " (1 open now)" : "");
	dashboard_pen_nl(p);
}

/* ---------------------------------------------------------------- header */

static void dashboard_title_bar(struct dashboard *d, const char *what)
{
	struct dashboard_pen p = dashboard_pen_make(0, 0, COLS, 1);
	struct timespec now;
	char clock[16], right[64];
	int rw;

	clock_gettime(CLOCK_REALTIME, &now);
	dashboard_fmt_clock(&now, false, clock, sizeof(clock));
	snprintf(right, sizeof(right), "%s%s ", sched_paused(d->s) ? "PAUSED  " : "", clock);
	rw = (int)strlen(right);
	p.w = COLS - rw - 1 > 0 ? COLS - rw - 1 : COLS;
	dashboard_pen_add(&p, d->attr[ROLE_BAR], " pgpulse  ");
	dashboard_pen_add(&p, d->attr[ROLE_BAR], "%s", what);
	p.w = COLS;
	dashboard_pen_fill(&p, d->attr[ROLE_BAR]);
	if (COLS - rw > 0)
		dashboard_text(0, COLS - rw, rw, d->attr[ROLE_BAR], right);
}

static void dashboard_interval_text(const struct target *t, char *out, size_t n)
{
	char iv[32];

	dashboard_fmt_interval(t->interval_ms, iv, sizeof(iv));
	if (t->backoff_level > 0)
		snprintf(out, n, "interval %s (backing off: max_clients)", iv);
	else
		snprintf(out, n, "interval %s", iv);
}

/* The state line, then a banner for an open incident or a failing target. */
static void dashboard_state_lines(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct target_incident *inc = target_open_incident(t);
	double avail = target_availability(t);
	char clock[32], dur[32], iv[96];

	dashboard_pen_add(p, d->attr[dashboard_health_badge(t->health)], " %s ",
			  target_health_name(t->health));
	if (t->health != TARGET_UNKNOWN)
		dashboard_pen_add(
			p, d->attr[ROLE_NORMAL], " since %s (%s)",
			dashboard_fmt_clock(&t->health_since, false, clock, sizeof(clock)),
			dashboard_fmt_duration(dashboard_seconds_since(&t->health_since), dur,
					       sizeof(dur)));
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "   availability ");
	if (isnan(avail))
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "-");
	else
		dashboard_pen_add(p,
				  d->attr[avail >= 99.9 ? ROLE_OK
					  : avail >= 90 ? ROLE_WARN
							: ROLE_BAD],
				  "%.2f%%", avail);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], " (%llu/%llu)   ", (unsigned long long)t->ok,
			  (unsigned long long)t->probes);
	dashboard_interval_text(t, iv, sizeof(iv));
	dashboard_pen_add(p, d->attr[t->backoff_level > 0 ? ROLE_WARN : ROLE_NORMAL], "%s", iv);
	if (sched_paused(d->s))
		dashboard_pen_add(p, d->attr[ROLE_WAITING], "  PAUSED ");
	dashboard_pen_nl(p);

	if (inc) {
		const char *limit = classify_limit_name(inc->limit);
		char banner[512], code[48] = "";

		/* "limit X (SQLSTATE Y): message", so the code does not read as the limit. */
		if (inc->sqlstate[0])
			snprintf(code, sizeof(code), " (SQLSTATE %s)", inc->sqlstate);
		snprintf(banner, sizeof(banner),
			 " MAX_CLIENTS INCIDENT since %s (%s), %llu probes failed%s%s%s: %s",
			 dashboard_fmt_clock(&inc->start, false, clock, sizeof(clock)),
			 dashboard_fmt_duration(dashboard_seconds_since(&inc->start), dur,
						sizeof(dur)),
			 (unsigned long long)inc->probes_failed, limit ? ", limit " : "",
			 limit ? limit : "", code, inc->message);
		dashboard_pen_wrap(p, d->attr[ROLE_DOWN], 1, 2, true, banner);
	} else if (t->have_last && !t->last.ok) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "last probe failed: %s",
				  classify_class_name(t->last.error.cls));
		if (t->last.error.sqlstate[0])
			dashboard_pen_add(p, d->attr[ROLE_VALUE], " %s", t->last.error.sqlstate);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " ");
		dashboard_pen_wrap(p, d->attr[ROLE_NORMAL], 2, 2, false, t->last.error.message);
	}
	if (t->have_last && !t->last.ok && t->last.error.advice && t->last.error.advice[0]) {
		dashboard_pen_add(p, d->attr[ROLE_WARN], "advice: ");
		dashboard_pen_wrap(p, d->attr[ROLE_WARN], 8, 2, false, t->last.error.advice);
	}
}

/* ---------------------------------------------------------------- keys */

struct dashboard_key {
	int keys[5];	   /* 0-terminated */
	const char *label; /* as the help shows it */
	const char *hint;  /* "key word" for the bottom line; NULL: help only */
	int hint_rank;	   /* narrow screens keep the hints ranked first (1) */
	const char *help;
	void (*run)(struct dashboard *d, int key);
};

static void dashboard_set_status(struct dashboard *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dashboard_set_status(struct dashboard *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->status, sizeof(d->status), fmt, ap);
	va_end(ap);
	d->status_until_ms = util_now_ms() + DASHBOARD_STATUS_MS;
}

static void dashboard_key_quit(struct dashboard *d, int key)
{
	(void)key;
	d->quit = true;
}

static void dashboard_key_pause(struct dashboard *d, int key)
{
	(void)key;
	sched_set_paused(d->s, !sched_paused(d->s));
	dashboard_set_status(d, "%s", sched_paused(d->s) ? "probing paused" : "probing resumed");
}

/* The steps + and - walk through, in ms. */
static const double dashboard_intervals[] = {
	100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000,
};

static void dashboard_key_interval(struct dashboard *d, int key)
{
	const size_t n = sizeof(dashboard_intervals) / sizeof(dashboard_intervals[0]);
	double cur = sched_config(d->s)->interval_ms, next = cur;
	char buf[32];

	if (key == '+' || key == '=') {
		for (size_t i = 0; i < n && next == cur; i++)
			if (dashboard_intervals[i] > cur + 0.5)
				next = dashboard_intervals[i];
	} else {
		for (size_t i = n; i-- > 0 && next == cur;)
			if (dashboard_intervals[i] < cur - 0.5)
				next = dashboard_intervals[i];
	}
	sched_set_interval(d->s, next);
	dashboard_set_status(d, "interval %s", dashboard_fmt_interval(next, buf, sizeof(buf)));
}

static void dashboard_key_reset(struct dashboard *d, int key)
{
	(void)key;
	for (int i = 0; i < sched_ntargets(d->s); i++)
		target_reset_stats(sched_target(d->s, i));
	dashboard_set_status(d, "statistics reset");
}

static void dashboard_select(struct dashboard *d, int delta)
{
	int n = sched_ntargets(d->s);

	d->current = ((d->current + delta) % n + n) % n;
	d->scroll = 0;
}

static void dashboard_key_next(struct dashboard *d, int key)
{
	/* In the table, Tab opens the selected row; arrows only move. */
	if (d->view == VIEW_TABLE && key == '\t') {
		d->view = VIEW_DETAIL;
		return;
	}
	dashboard_select(d, 1);
}

static void dashboard_key_previous(struct dashboard *d, int key)
{
	(void)key;
	dashboard_select(d, -1);
}

static void dashboard_key_open(struct dashboard *d, int key)
{
	(void)key;
	if (d->view == VIEW_TABLE)
		d->view = VIEW_DETAIL;
}

static void dashboard_key_back(struct dashboard *d, int key)
{
	(void)key;
	if (d->view == VIEW_EVENTS)
		d->view = d->back_view;
	else if (sched_ntargets(d->s) > 1)
		d->view = VIEW_TABLE;
}

static void dashboard_key_events(struct dashboard *d, int key)
{
	(void)key;
	if (d->view == VIEW_EVENTS) {
		d->view = d->back_view;
		return;
	}
	d->back_view = d->view;
	d->view = VIEW_EVENTS;
	d->scroll = 0;
}

/* Rows the events view has for events: all but the title, its header and the hints. */
static int dashboard_events_page(void)
{
	return LINES > 4 ? LINES - 3 : 1;
}

/*
 * Where the events view starts now, counted back from the newest event:
 * the anchored line moved by what came since, kept so the last page is a
 * full one.
 */
static int dashboard_events_offset(const struct dashboard *d, const struct target *t)
{
	long max = (long)t->ev_len - dashboard_events_page(), off;

	if (d->scroll <= 0)
		return 0;
	off = d->scroll;
	if (t->ev_total > d->scroll_total)
		off += (long)(t->ev_total - d->scroll_total);
	if (off > max)
		off = max;
	return off > 0 ? (int)off : 0;
}

static void dashboard_key_scroll(struct dashboard *d, int key)
{
	const struct target *t = sched_target(d->s, d->current);
	int page = dashboard_events_page(), off = dashboard_events_offset(d, t);
	int max = (int)t->ev_len - page;

	if (d->view != VIEW_EVENTS)
		return;
	if (key == KEY_HOME)
		off = 0;
	else if (key == KEY_END)
		off = max;
	else if (key == KEY_NPAGE)
		off += page;
	else
		off -= page;
	if (off > max)
		off = max;
	d->scroll = off > 0 ? off : 0;
	d->scroll_total = t->ev_total;
}

static void dashboard_key_prompt(struct dashboard *d, int key)
{
	(void)key;
	/* Not from here: the prompt runs the loop itself, and this is inside it. */
	d->want_prompt = true;
}

static void dashboard_key_redraw(struct dashboard *d, int key)
{
	(void)key;
	clearok(curscr, TRUE);
	d->resized = true;
}

static void dashboard_key_help(struct dashboard *d, int key)
{
	(void)key;
	d->help = true;
	d->help_scroll = 0;
}

static const struct dashboard_key dashboard_keys[] = {
	{ { 'q', 'Q' }, "q", "q quit", 2, "quit (closes any probe in flight)", dashboard_key_quit },
	{ { 'p', 'P' }, "p", "p pause", 6, "pause / resume probing", dashboard_key_pause },
	{ { '+', '=' },
	  "+",
	  "+/- interval",
	  7,
	  "longer interval between probes",
	  dashboard_key_interval },
	{ { '-', '_' }, "-", NULL, 0, "shorter interval between probes", dashboard_key_interval },
	{ { 'r', 'R' },
	  "r",
	  "r reset",
	  8,
	  "reset statistics (latency, counters, availability)",
	  dashboard_key_reset },
	{ { '\t', KEY_DOWN, KEY_RIGHT, 'j' },
	  "Tab Down Right",
	  "Tab next",
	  5,
	  "next target (in the table, Tab opens the selected one)",
	  dashboard_key_next },
	{ { KEY_BTAB, KEY_UP, KEY_LEFT, 'k' },
	  "S-Tab Up Left",
	  NULL,
	  0,
	  "previous target",
	  dashboard_key_previous },
	{ { '\r', '\n', KEY_ENTER },
	  "Enter",
	  NULL,
	  0,
	  "open the selected target's full view",
	  dashboard_key_open },
	{ { 27, KEY_BACKSPACE, 127, 8 },
	  "Esc Backspace",
	  NULL,
	  0,
	  "back (events: to the view before; a target: to the table)",
	  dashboard_key_back },
	{ { 'e', 'E' },
	  "e",
	  "e events",
	  4,
	  "lifecycle events full screen (e again: back)",
	  dashboard_key_events },
	{ { KEY_PPAGE, KEY_NPAGE, KEY_HOME, KEY_END },
	  "PgUp PgDn Home End",
	  NULL,
	  0,
	  "scroll the events (Home: newest, End: oldest)",
	  dashboard_key_scroll },
	{ { ':' },
	  ":",
	  ": prompt",
	  3,
	  "open the pgpulse prompt (watch or Ctrl-D: back here)",
	  dashboard_key_prompt },
	{ { 12 }, "Ctrl-L", NULL, 0, "redraw the screen", dashboard_key_redraw },
	{ { '?', 'h', KEY_F(1) },
	  "?",
	  "? help",
	  1,
	  "this help (Up/Down/PgUp/PgDn scroll it if it does not fit; other keys close it)",
	  dashboard_key_help },
};

#define DASHBOARD_NKEYS (sizeof(dashboard_keys) / sizeof(dashboard_keys[0]))

/*
 * The help overlay's geometry, from the key table: the key column as wide
 * as the longest label, descriptions wrapped beside it (below it when the
 * screen is too narrow for both), the box as tall as the screen allows.
 */
struct dashboard_help_box {
	int x, y, w, h;
	int keyw;  /* key column, with its gap; 0: each key on a line of its own */
	int descx; /* where descriptions start, from the text's left edge */
	int descw;
	int rows;    /* rows of text in all */
	int visible; /* rows of text that fit */
};

/* One row r of the help: key's label when first, and len bytes of its description. */
typedef void (*dashboard_help_row_fn)(struct dashboard *d, const struct dashboard_help_box *b,
				      size_t key, bool first, const char *text, int len, int r);

/* Walks the help's rows, drawing each with row (NULL: only counts them). Returns the rows. */
static int dashboard_help_walk(struct dashboard *d, const struct dashboard_help_box *b,
			       dashboard_help_row_fn row)
{
	int r = 0;

	for (size_t i = 0; i < DASHBOARD_NKEYS; i++) {
		const char *text = dashboard_keys[i].help;
		bool first = true;

		if (b->keyw == 0) {
			if (row)
				row(d, b, i, true, "", 0, r);
			r++;
			first = false;
		}
		while (*text) {
			int cut = dashboard_wrap_cut(text, b->descw);

			if (row)
				row(d, b, i, first, text, cut, r);
			r++;
			first = false;
			text += cut;
			while (*text == ' ')
				text++;
		}
	}
	return r;
}

static bool dashboard_help_layout(struct dashboard *d, struct dashboard_help_box *b)
{
	int labelw = 0;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < DASHBOARD_NKEYS; i++) {
		int lw = dashboard_text_width(dashboard_keys[i].label);

		if (lw > labelw)
			labelw = lw;
	}
	b->w = COLS - 4 < 80 ? COLS - 4 : 80;
	if (b->w < 10 || LINES < 5)
		return false;
	b->keyw = labelw + 2;
	b->descx = b->keyw;
	b->descw = b->w - 4 - b->keyw;
	if (b->descw < 20) {
		b->keyw = 0;
		b->descx = 2;
		b->descw = b->w - 4 - 2;
	}
	b->rows = dashboard_help_walk(d, b, NULL);
	/* Borders, a blank line under the title; the box never covers the title bar. */
	b->h = b->rows + 3 < LINES - 2 ? b->rows + 3 : LINES - 2;
	b->visible = b->h - 3;
	b->x = (COLS - b->w) / 2;
	b->y = (LINES - b->h) / 2;
	if (d->help_scroll > b->rows - b->visible)
		d->help_scroll = b->rows - b->visible;
	if (d->help_scroll < 0)
		d->help_scroll = 0;
	return b->visible > 0;
}

/* Keys that scroll the help when it does not fit; any other key closes it. */
static bool dashboard_help_key(struct dashboard *d, int key)
{
	struct dashboard_help_box b;
	int step;

	if (!dashboard_help_layout(d, &b) || b.rows <= b.visible)
		return false;
	switch (key) {
	case KEY_UP:
	case 'k': step = -1; break;
	case KEY_DOWN:
	case 'j': step = 1; break;
	case KEY_PPAGE: step = -b.visible; break;
	case KEY_NPAGE:
	case ' ': step = b.visible; break;
	default: return false;
	}
	d->help_scroll += step;
	dashboard_help_layout(d, &b); /* clamps */
	return true;
}

static void dashboard_dispatch(struct dashboard *d, int key)
{
	if (key == KEY_RESIZE) {
		d->resized = true;
		return;
	}
	/* A key's feedback lasts until the next key. */
	d->status[0] = '\0';
	/* Like htop: any key closes the help (but those that scroll it). */
	if (d->help) {
		if (!dashboard_help_key(d, key))
			d->help = false;
		return;
	}
	for (size_t i = 0; i < DASHBOARD_NKEYS; i++)
		for (const int *k = dashboard_keys[i].keys; *k; k++)
			if (*k == key) {
				dashboard_keys[i].run(d, key);
				return;
			}
}

/* Width of a hint on the bottom line, with the gap after it. */
static int dashboard_hint_width(const struct dashboard_key *k)
{
	return (int)strlen(k->hint) + 2;
}

/*
 * The bottom line: a key's feedback, then the hints. When they do not all
 * fit, the lowest ranked go first, so "? help" and "q quit" stay.
 */
static void dashboard_hints(struct dashboard *d)
{
	struct dashboard_pen p = dashboard_pen_make(LINES - 1, 0, COLS, LINES);
	bool keep[DASHBOARD_NKEYS] = { false };
	int room;

	if (d->status[0] && util_now_ms() < d->status_until_ms) {
		dashboard_pen_add(&p, d->attr[ROLE_SELECTED], " %s ", d->status);
		dashboard_pen_add(&p, d->attr[ROLE_NORMAL], " ");
	}
	room = COLS - p.col;
	for (int rank = 1; rank <= (int)DASHBOARD_NKEYS; rank++)
		for (size_t i = 0; i < DASHBOARD_NKEYS; i++)
			if (dashboard_keys[i].hint && dashboard_keys[i].hint_rank == rank &&
			    dashboard_hint_width(&dashboard_keys[i]) - 2 <= room) {
				keep[i] = true;
				room -= dashboard_hint_width(&dashboard_keys[i]);
			}
	for (size_t i = 0; i < DASHBOARD_NKEYS; i++) {
		if (!keep[i])
			continue;
		const char *hint = dashboard_keys[i].hint, *space = strchr(hint, ' ');
		int klen = space ? (int)(space - hint) : (int)strlen(hint);

		/* "q quit": the key stands out, the word explains it. */
		dashboard_pen_add(&p, d->attr[ROLE_VALUE], "%.*s", klen, hint);
		dashboard_pen_add(&p, d->attr[ROLE_LABEL], "%s  ", space ? space : "");
	}
}

static void dashboard_help_row(struct dashboard *d, const struct dashboard_help_box *b, size_t key,
			       bool first, const char *text, int len, int r)
{
	int y = b->y + 2 + r - d->help_scroll, x = b->x + 2;
	char line[256];

	if (r < d->help_scroll || r >= d->help_scroll + b->visible)
		return;
	if (first)
		dashboard_text(y, x, b->keyw ? b->keyw : b->w - 4, d->attr[ROLE_VALUE],
			       dashboard_keys[key].label);
	if (len > 0) {
		snprintf(line, sizeof(line), "%.*s", len, text);
		dashboard_text(y, x + b->descx, b->descw, d->attr[ROLE_NORMAL], line);
	}
}

/* The help overlay, drawn from the table that dispatches the keys. */
static void dashboard_draw_help(struct dashboard *d)
{
	struct dashboard_help_box b;
	struct dashboard_pen p;
	const char *footer = " any key closes this help ";
	int x, y, w, h;

	if (!dashboard_help_layout(d, &b))
		return;
	x = b.x;
	y = b.y;
	w = b.w;
	h = b.h;
	for (int r = 0; r < h; r++) {
		p = dashboard_pen_make(y + r, x, w, y + h);
		dashboard_pen_fill(&p, d->attr[ROLE_NORMAL]);
	}
	dashboard_line(d, LINE_H, y, x, w, false, d->attr[ROLE_TITLE]);
	dashboard_line(d, LINE_H, y + h - 1, x, w, false, d->attr[ROLE_TITLE]);
	dashboard_line(d, LINE_V, y, x, h, true, d->attr[ROLE_TITLE]);
	dashboard_line(d, LINE_V, y, x + w - 1, h, true, d->attr[ROLE_TITLE]);
	dashboard_line(d, LINE_TL, y, x, 1, false, d->attr[ROLE_TITLE]);
	dashboard_line(d, LINE_TR, y, x + w - 1, 1, false, d->attr[ROLE_TITLE]);
	dashboard_line(d, LINE_BL, y + h - 1, x, 1, false, d->attr[ROLE_TITLE]);
	dashboard_line(d, LINE_BR, y + h - 1, x + w - 1, 1, false, d->attr[ROLE_TITLE]);
	dashboard_text(y, x + 2, w - 4, d->attr[ROLE_TITLE], " pgpulse keys ");
	dashboard_help_walk(d, &b, dashboard_help_row);
	/* Too small for all of it: say there is more and how to see it. */
	if (d->help_scroll + b.visible < b.rows)
		footer = " more: Down/PgDn, or enlarge the terminal ";
	else if (d->help_scroll > 0)
		footer = " Up/PgUp: back up; other keys close ";
	dashboard_text(y + h - 1, x + 2, w - 4, d->attr[ROLE_LABEL], footer);
}

/* ---------------------------------------------------------------- views */

/* Height of a panel, measured by drawing it with a dry pen. */
static int dashboard_panel_height(struct dashboard *d, struct target *t, dashboard_panel_fn fn,
				  int w, bool full)
{
	struct dashboard_pen p = dashboard_pen_make(0, 0, w, 1 << 20);

	p.dry = true;
	p.full = full;
	fn(d, t, &p);
	return p.y;
}

/*
 * The full view's panels, most telling in an incident first: who holds the
 * slots, then how long each step takes, then what the server is. On a
 * small screen they go in this order, each in full, else compact, else
 * hidden (and named as such); the probe log takes the rest. Two columns
 * on wide screens: column says which.
 */
struct dashboard_panel {
	const char *name;
	dashboard_panel_fn draw;
	int column;
};

static const struct dashboard_panel dashboard_panels[] = {
	{ "slots", dashboard_panel_slots, 1 },	 { "latency", dashboard_panel_latency, 1 },
	{ "server", dashboard_panel_server, 0 }, { "timeouts", dashboard_panel_timeouts, 0 },
	{ "tls", dashboard_panel_tls, 0 },	 { "counters", dashboard_panel_counters, 1 },
};

#define DASHBOARD_NPANELS (sizeof(dashboard_panels) / sizeof(dashboard_panels[0]))

/* Rows the probe log needs to be worth showing: its title and one probe. */
#define DASHBOARD_LOG_MIN_ROWS 2

static void dashboard_draw_detail(struct dashboard *d)
{
	struct target *t = sched_target(d->s, d->current);
	struct dashboard_pen p = dashboard_pen_make(1, 0, COLS, LINES - 1);
	char what[600], hidden[160] = "";
	int height[DASHBOARD_NPANELS], left[2], colx[2], colw[2], coly[2];
	bool shown[DASHBOARD_NPANELS], full[DASHBOARD_NPANELS];
	int top, bottom = LINES - 1, end, ncols, n = sched_ntargets(d->s);
	size_t len = 0;

	if (n > 1)
		snprintf(what, sizeof(what), "[%d/%d] %s", d->current + 1, n, t->dsn.display);
	else
		snprintf(what, sizeof(what), "%s", t->dsn.display);
	dashboard_title_bar(d, what);
	dashboard_state_lines(d, t, &p);
	top = p.y;

	ncols = COLS >= DASHBOARD_TWO_COLUMNS ? 2 : 1;
	colx[0] = 0;
	colw[0] = COLS;
	if (ncols == 2) {
		colw[0] = COLS / 2 + 3 < 64 ? COLS / 2 + 3 : 64;
		colx[1] = colw[0] + 1;
		colw[1] = COLS - colw[0] - 1;
	}
	/* One row stays free for the line naming what did not fit. */
	for (int c = 0; c < ncols; c++) {
		left[c] = bottom - top - 1;
		coly[c] = top;
	}
	for (size_t i = 0; i < DASHBOARD_NPANELS; i++) {
		int c = ncols == 2 ? dashboard_panels[i].column : 0;
		int big = dashboard_panel_height(d, t, dashboard_panels[i].draw, colw[c], true);
		int small = dashboard_panel_height(d, t, dashboard_panels[i].draw, colw[c], false);

		full[i] = big <= left[c];
		shown[i] = full[i] || small <= left[c];
		height[i] = full[i] ? big : small;
		if (shown[i])
			left[c] -= height[i];
		else
			len += (size_t)snprintf(hidden + len, sizeof(hidden) - len, "%s%s",
						len ? ", " : "", dashboard_panels[i].name);
	}
	for (size_t i = 0; i < DASHBOARD_NPANELS; i++) {
		int c = ncols == 2 ? dashboard_panels[i].column : 0;

		if (!shown[i])
			continue;
		p = dashboard_pen_make(coly[c], colx[c], colw[c], coly[c] + height[i]);
		p.full = full[i];
		dashboard_panels[i].draw(d, t, &p);
		coly[c] += height[i];
	}
	end = ncols == 2 && coly[1] > coly[0] ? coly[1] : coly[0];
	if (len == 0 && bottom - end >= DASHBOARD_LOG_MIN_ROWS) {
		p = dashboard_pen_make(end, 0, COLS, bottom);
	} else {
		if (bottom - 1 - end < DASHBOARD_LOG_MIN_ROWS)
			snprintf(hidden + len, sizeof(hidden) - len, "%sprobes", len ? ", " : "");
		p = dashboard_pen_make(bottom - 1, 0, COLS, bottom - 1 >= top ? bottom : 0);
		dashboard_pen_add(&p, d->attr[ROLE_WARN], "hidden: %s", hidden);
		dashboard_pen_add(&p, d->attr[ROLE_LABEL], " (enlarge the terminal)");
		p = dashboard_pen_make(end, 0, COLS, bottom - 1);
	}
	if (p.bottom - p.y >= DASHBOARD_LOG_MIN_ROWS) {
		dashboard_pen_title(&p, d, "Probes", "newest first; e: every lifecycle event");
		dashboard_probe_log(d, &p, t->index);
	}
	dashboard_hints(d);
}

static void dashboard_draw_table(struct dashboard *d)
{
	int n = sched_ntargets(d->s), namew = 6, up = 0, down = 0, degraded = 0, waiting = 0;
	bool wide;
	struct dashboard_pen p = dashboard_pen_make(1, 0, COLS, LINES - 1);
	struct target *sel = sched_target(d->s, d->current);
	char what[64], buf[64], dur[32];

	for (int i = 0; i < n; i++) {
		struct target *t = sched_target(d->s, i);
		int len = (int)strlen(t->dsn.name);

		if (len > namew)
			namew = len;
		if (t->health == TARGET_UP)
			up++;
		else if (t->health == TARGET_DOWN)
			down++;
		else if (t->health == TARGET_DEGRADED)
			degraded++;
		else
			waiting++;
	}
	if (namew > 28)
		namew = 28;
	/* Narrow screens keep the columns that tell up from down. */
	wide = COLS >= 88 + namew;
	snprintf(what, sizeof(what), "%d targets", n);
	dashboard_title_bar(d, what);
	dashboard_pen_add(&p, d->attr[ROLE_OK], "%d up", up);
	dashboard_pen_add(&p, d->attr[down ? ROLE_BAD : ROLE_NORMAL], "  %d down", down);
	dashboard_pen_add(&p, d->attr[degraded ? ROLE_WARN : ROLE_NORMAL], "  %d degraded",
			  degraded);
	if (waiting)
		dashboard_pen_add(&p, d->attr[ROLE_LABEL], "  %d waiting", waiting);
	dashboard_pen_add(&p, d->attr[ROLE_LABEL], "   interval %s   open now %d",
			  dashboard_fmt_interval(sched_config(d->s)->interval_ms, buf, sizeof(buf)),
			  sched_open_connections(d->s));
	if (sched_paused(d->s))
		dashboard_pen_add(&p, d->attr[ROLE_WAITING], "  PAUSED ");
	dashboard_pen_nl(&p);
	dashboard_pen_nl(&p);
	dashboard_pen_add(&p, d->attr[ROLE_TITLE], "  #  %-*s  %-8s %-8s %9s %9s", namew, "TARGET",
			  "STATE", "SINCE", "LAST", "P50");
	if (wide)
		dashboard_pen_add(&p, d->attr[ROLE_TITLE], " %9s", "P95");
	dashboard_pen_add(&p, d->attr[ROLE_TITLE], " %6s", "LOSS");
	if (wide)
		dashboard_pen_add(&p, d->attr[ROLE_TITLE], " %7s %-9s", "PROBES", "INTERVAL");
	dashboard_pen_add(&p, d->attr[ROLE_TITLE], " %s", "LAST ERROR");
	dashboard_pen_nl(&p);

	for (int i = 0; i < n && p.y < p.bottom; i++) {
		struct target *t = sched_target(d->s, i);
		const struct dashboard_probe *fail = dashboard_last_failure(d, i);
		const struct stats_hist *h = &t->phase[PROBE_TOTAL];
		bool selected = i == d->current;

		dashboard_pen_add(&p, d->attr[selected ? ROLE_SELECTED : ROLE_NORMAL], "%s%2d ",
				  selected ? ">" : " ", i + 1);
		dashboard_pen_add(&p, d->attr[selected ? ROLE_SELECTED : ROLE_VALUE], " %-*.*s ",
				  namew, namew, t->dsn.name);
		dashboard_pen_add(&p, d->attr[dashboard_health_text(t->health)], " %-8s",
				  target_health_name(t->health));
		dashboard_pen_add(
			&p, d->attr[ROLE_NORMAL], " %-8s",
			t->health == TARGET_UNKNOWN
				? "-"
				: dashboard_fmt_duration(dashboard_seconds_since(&t->health_since),
							 dur, sizeof(dur)));
		if (t->have_last && !t->last.ok)
			dashboard_pen_add(&p, d->attr[ROLE_BAD], " %9s", "FAIL");
		else
			dashboard_pen_add(
				&p, d->attr[ROLE_VALUE], " %9s",
				util_fmt_ms(t->have_last ? t->last.phase_ms[PROBE_TOTAL] : NAN, buf,
					    sizeof(buf)));
		dashboard_pen_add(&p, d->attr[ROLE_NORMAL], " %9s",
				  util_fmt_ms(stats_hist_percentile(h, 50), buf, sizeof(buf)));
		if (wide)
			dashboard_pen_add(
				&p, d->attr[ROLE_NORMAL], " %9s",
				util_fmt_ms(stats_hist_percentile(h, 95), buf, sizeof(buf)));
		if (t->probes)
			snprintf(buf, sizeof(buf), "%.1f%%",
				 100.0 * (double)(t->probes - t->ok) / (double)t->probes);
		else
			snprintf(buf, sizeof(buf), "-");
		dashboard_pen_add(&p, d->attr[t->probes > t->ok ? ROLE_BAD : ROLE_NORMAL], " %6s",
				  buf);
		if (wide) {
			dashboard_pen_add(&p, d->attr[ROLE_NORMAL], " %7llu",
					  (unsigned long long)t->probes);
			dashboard_pen_add(&p, d->attr[t->backoff_level ? ROLE_WARN : ROLE_NORMAL],
					  " %-9s",
					  dashboard_fmt_interval(t->interval_ms, buf, sizeof(buf)));
		}
		if (fail) {
			dashboard_pen_add(&p, d->attr[ROLE_BAD], " %s",
					  classify_class_name(fail->cls));
			if (fail->sqlstate[0])
				dashboard_pen_add(&p, d->attr[ROLE_NORMAL], " %s", fail->sqlstate);
			if (t->have_last && t->last.ok)
				dashboard_pen_add(
					&p, d->attr[ROLE_LABEL], " %s ago",
					dashboard_fmt_duration(dashboard_seconds_since(&fail->wall),
							       dur, sizeof(dur)));
		} else {
			dashboard_pen_add(&p, d->attr[ROLE_LABEL], " -");
		}
		dashboard_pen_nl(&p);
	}

	/* The selected target in brief; Enter shows everything. */
	dashboard_pen_nl(&p);
	dashboard_pen_add(&p, d->attr[ROLE_LABEL], "selected ");
	dashboard_pen_add(&p, d->attr[ROLE_VALUE], "%s", sel->dsn.display);
	dashboard_pen_add(&p, d->attr[ROLE_LABEL], "  (Enter or Tab: full view)");
	dashboard_pen_nl(&p);
	dashboard_state_lines(d, sel, &p);
	dashboard_pen_title(&p, d, "Probes", "all targets, newest first");
	dashboard_probe_log(d, &p, -1);
	dashboard_hints(d);
}

/* The lifecycle log of the selected target, one line per event. */
static void dashboard_draw_events(struct dashboard *d)
{
	struct target *t = sched_target(d->s, d->current);
	struct dashboard_pen p = dashboard_pen_make(1, 0, COLS, LINES - 1);
	const struct probe_event *ev;
	char what[600], clock[32], ms[32];
	int offset = dashboard_events_offset(d, t);

	snprintf(what, sizeof(what), "events  %s", t->dsn.display);
	dashboard_title_bar(d, what);
	dashboard_pen_add(
		&p, d->attr[ROLE_LABEL],
		"newest first; PgUp/PgDn/Home/End scroll, e or Esc back   (%u kept, %llu seen",
		t->ev_len, (unsigned long long)t->ev_total);
	if (offset)
		dashboard_pen_add(&p, d->attr[ROLE_WARN], ", scrolled back %d", offset);
	dashboard_pen_add(&p, d->attr[ROLE_LABEL], ")");
	dashboard_pen_nl(&p);
	if (t->ev_len == 0) {
		dashboard_pen_add(&p, d->attr[ROLE_LABEL], "  no events yet");
		dashboard_pen_nl(&p);
	}
	for (unsigned i = (unsigned)offset; p.y < p.bottom && (ev = target_event(t, i)); i++) {
		bool fail = ev->kind == PROBE_EV_ERROR || ev->kind == PROBE_EV_TIMEOUT;

		dashboard_pen_add(&p, d->attr[ROLE_LABEL], "%s ",
				  dashboard_fmt_clock(&ev->wall, true, clock, sizeof(clock)));
		dashboard_pen_add(&p, d->attr[ROLE_NORMAL], "#%-5llu ",
				  (unsigned long long)ev->seq);
		dashboard_pen_add(&p,
				  d->attr[fail			       ? ROLE_BAD
					  : ev->kind == PROBE_EV_CLOSE ? ROLE_OK
								       : ROLE_VALUE],
				  "%-8s", probe_event_name(ev->kind));
		if (fail) {
			const struct dashboard_probe *e = dashboard_log_find(d, t->index, ev->seq);

			dashboard_pen_add(&p, d->attr[ROLE_BAD], " %s",
					  classify_class_name(ev->cls));
			if (e && e->sqlstate[0])
				dashboard_pen_add(&p, d->attr[ROLE_VALUE], " %s", e->sqlstate);
			dashboard_pen_add(&p, d->attr[ROLE_NORMAL], " in %s: %s",
					  probe_phase_name(ev->phase), e ? e->message : ev->detail);
			if (e && e->advice && e->advice[0])
				dashboard_pen_add(&p, d->attr[ROLE_WARN], "  advice: %s",
						  e->advice);
		} else {
			dashboard_pen_add(&p, d->attr[ROLE_VALUE], "%10s",
					  isnan(ev->ms) ? "" : util_fmt_ms(ev->ms, ms, sizeof(ms)));
			dashboard_pen_add(&p, d->attr[ROLE_NORMAL], "  %s", ev->detail);
		}
		dashboard_pen_nl(&p);
	}
	dashboard_hints(d);
}

/*
 * Below the minimum size: a centred message, word-wrapped to whatever is
 * there, down to a single cell.
 */
static void dashboard_draw_too_small(struct dashboard *d)
{
	char msg[96], lines[16][96];
	int nlines = 0, w = COLS, h = LINES;
	char *word, *save = NULL;

	snprintf(msg, sizeof(msg), "terminal too small (%dx%d, need %dx%d)", COLS, LINES,
		 DASHBOARD_MIN_COLS, DASHBOARD_MIN_ROWS);
	lines[0][0] = '\0';
	for (word = strtok_r(msg, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		size_t cur = strlen(lines[nlines]);

		if (cur > 0 && (int)(cur + 1 + strlen(word)) > w) {
			if (nlines == 15)
				break;
			lines[++nlines][0] = '\0';
			cur = 0;
		}
		snprintf(lines[nlines] + cur, sizeof(lines[0]) - cur, "%s%s", cur ? " " : "", word);
	}
	nlines++;
	for (int i = 0; i < nlines && i < h; i++) {
		int len = (int)strlen(lines[i]);
		int x = len < w ? (w - len) / 2 : 0;
		int y = (h - (nlines < h ? nlines : h)) / 2 + i;

		dashboard_text(y, x, w - x, d->attr[ROLE_WARN], lines[i]);
	}
}

static void dashboard_draw(struct dashboard *d)
{
	erase();
	if (COLS < DASHBOARD_MIN_COLS || LINES < DASHBOARD_MIN_ROWS) {
		dashboard_draw_too_small(d);
	} else {
		switch (d->view) {
		case VIEW_TABLE: dashboard_draw_table(d); break;
		case VIEW_DETAIL: dashboard_draw_detail(d); break;
		case VIEW_EVENTS: dashboard_draw_events(d); break;
		}
		if (d->help)
			dashboard_draw_help(d);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---------------------------------------------------------------- loop */

/*
 * The scheduler's callbacks also run while the prompt covers the screen
 * (the dashboard stays a listener while it is suspended), so they only
 * record and mark the screen dirty: the loop draws once it is back.
 */
static void dashboard_on_result(void *arg, struct target *t, const struct probe_result *r)
{
	struct dashboard *d = arg;

	dashboard_log_push(d, t, r);
	d->dirty = true;
}

static void dashboard_on_event(void *arg, struct target *t, const struct probe_event *ev)
{
	struct dashboard *d = arg;

	(void)ev;
	/* Only the events view shows single events; the rest redraws on results. */
	if (d->view == VIEW_EVENTS && t->index == d->current)
		d->dirty = true;
}

static void dashboard_on_stdin(void *arg, int fd, short revents)
{
	struct dashboard *d = arg;
	int key, keys = 0;

	(void)fd;
	(void)revents;
	while (!d->quit && !d->want_prompt && (key = getch()) != ERR) {
		dashboard_dispatch(d, key);
		keys++;
	}
	if (keys) {
		d->empty_reads = 0;
		d->dirty = true;
		return;
	}
	/*
	 * Readable but no key, again and again: the terminal is gone (EOF,
	 * EIO after a hang-up). Quit rather than spin, as htop does.
	 */
	if (++d->empty_reads >= DASHBOARD_DEAD_TTY)
		d->quit = true;
}

static void dashboard_on_signal(void *arg, int fd, short revents)
{
	struct dashboard *d = arg;
	int kinds;

	(void)fd;
	(void)revents;
	kinds = signals_take();
	if (kinds & SIGNALS_ANY_STOP)
		d->quit = true;
	if (kinds & SIGNALS_RESIZE)
		d->resized = true;
}

static void dashboard_resize(struct dashboard *d)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	d->resized = false;
	d->dirty = true;
}

/* The terminal and the keys: ours while we run, the prompt's while it is open. */
static bool dashboard_watch(struct dashboard *d)
{
	return sched_watch(d->s, STDIN_FILENO, POLLIN, dashboard_on_stdin, d) &&
	       sched_watch(d->s, signals_fd(), POLLIN, dashboard_on_signal, d);
}

/*
 * ':' hands the terminal to the prompt, which main runs next: we leave
 * curses mode and rest our descriptors, but stay a listener.
 */
static enum app_next dashboard_suspend(struct dashboard *d, struct app *a)
{
	d->want_prompt = false;
	a->current = d->current;
	sched_unwatch_owner(d->s, d);
	def_prog_mode();
	endwin();
	return APP_NEXT_PROMPT;
}

/* Back from the prompt: the screen as it was, the target it chose. */
static bool dashboard_resume(struct dashboard *d, struct app *a)
{
	reset_prog_mode();
	if (a->current >= 0 && a->current < sched_ntargets(d->s))
		d->current = a->current;
	dashboard_resize(d);
	if (a->quit)
		d->quit = true;
	return dashboard_watch(d);
}

static bool dashboard_screen_init(struct dashboard *d)
{
	const char *codeset = nl_langinfo(CODESET);

	d->screen = newterm(NULL, stdout, stdin);
	if (d->screen == NULL)
		return false;
	set_term(d->screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	/* One write per redraw: no peeking at stdin between lines of output. */
	typeahead(-1);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Esc alone should feel instant; arrow keys still arrive whole over ssh. */
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);
	/*
	 * Home and End differ between terminals (tmux and screen send
	 * \e[1~ and \e[4~ whatever TERM says); as htop does, take them all,
	 * or an unknown sequence would arrive as Esc.
	 */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[H", KEY_HOME);
	define_key("\033OH", KEY_HOME);
	define_key("\033[7~", KEY_HOME);
	define_key("\033[4~", KEY_END);
	define_key("\033[F", KEY_END);
	define_key("\033OF", KEY_END);
	define_key("\033[8~", KEY_END);
	d->utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
	dashboard_ellipsis = d->utf8 ? L'\u2026' : L'~';
	dashboard_colors_init(d);
	return true;
}

/* Nothing of ours stays connected once the screen is gone. */
static void dashboard_close(struct dashboard *d, struct app *a)
{
	sched_cancel_all(d->s);
	sched_unwatch_owner(d->s, d);
	sched_unlisten(d->s, d);
	endwin();
	delscreen(d->screen);
	free(d->last_advice);
	free(d);
	a->dashboard = NULL;
}

static struct dashboard *dashboard_open(struct app *a, enum app_next *fallback)
{
	struct dashboard *d = util_xcalloc(1, sizeof(*d));
	struct sched *s = a->s;

	d->s = s;
	d->o = a->o;
	d->view = sched_ntargets(s) > 1 ? VIEW_TABLE : VIEW_DETAIL;
	if (!dashboard_screen_init(d)) {
		const char *term = getenv("TERM");

		fprintf(stderr,
			"pgpulse: cannot use terminal type '%s'; printing a probe log instead\n",
			term ? term : "");
		free(d);
		*fallback = APP_NEXT_WATCH;
		return NULL;
	}
	sched_listen(s, dashboard_on_result, dashboard_on_event, d);
	if (!dashboard_watch(d)) {
		sched_unwatch_owner(s, d);
		sched_unlisten(s, d);
		endwin();
		delscreen(d->screen);
		free(d);
		fputs("pgpulse: cannot watch the terminal\n", stderr);
		a->exit_code = APP_EXIT_USAGE;
		*fallback = APP_NEXT_EXIT;
		return NULL;
	}
	d->dirty = true;
	d->next_tick_ms = util_now_ms() + dashboard_ms_to_next_second();
	a->dashboard = d;
	return d;
}

enum app_next dashboard_run(struct app *a)
{
	struct dashboard *d = a->dashboard;
	bool resumed = d != NULL;
	enum app_next next;

	if (d == NULL && (d = dashboard_open(a, &next)) == NULL)
		return next;
	if (resumed && !dashboard_resume(d, a))
		d->quit = true;

	while (!d->quit) {
		double now, wait;

		/* Back from the prompt, the turn that opened it finishes first. */
		if (!resumed) {
			now = util_now_ms();
			wait = d->dirty ? d->next_draw_ms - now : d->next_tick_ms - now;
			sched_run_once(d->s, wait > 0 ? wait : 0);
			d->turn_ms = util_now_ms();
			if (d->resized)
				dashboard_resize(d);
			if (d->want_prompt)
				return dashboard_suspend(d, a);
		}
		resumed = false;
		now = d->turn_ms;
		if (now >= d->next_tick_ms) {
			d->dirty = true;
			d->next_tick_ms = now + dashboard_ms_to_next_second();
		}
		if (d->dirty && !d->quit && now >= d->next_draw_ms) {
			dashboard_draw(d);
			d->dirty = false;
			d->next_draw_ms = now + DASHBOARD_DRAW_GAP_MS;
		}
	}
	dashboard_close(d, a);
	a->exit_code = APP_EXIT_OK;
	return APP_NEXT_EXIT;
}
