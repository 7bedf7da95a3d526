/*
 * dashboard: the live ncurses view, modelled on mtr's live table and htop's
 * screen. The scheduler drives the probes; the dashboard sleeps in the same
 * poll() loop, reads targets and events, and redraws only when something
 * changed (at most ten times a second, once a second for the clocks).
 */
#include "dashboard.h"
#include "check.h"
#include "classify.h"
#include "holders.h"
#include "shell.h"
#include "signals.h"
#include "util.h"

#include <curses.h>
#include <langinfo.h>
#include <math.h>
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
	SCREEN *screen;
	bool quit, dirty, resized, want_prompt, in_prompt, help;
	enum dashboard_view view, back_view;
	int current; /* selected target */
	int scroll;  /* events view: lines scrolled back */
	bool utf8;
	attr_t attr[ROLE_COUNT];
	int empty_reads; /* consecutive stdin wake-ups without a key */
	double next_draw_ms, next_tick_ms;
	char status[120]; /* a key's feedback, e.g. "interval 2s" */
	double status_until_ms;
	struct dashboard_probe log[DASHBOARD_LOG];
	unsigned log_head, log_len;
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
};

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
 * Writes s at (y, x) in at most w columns. Server messages may be any
 * UTF-8, so the text is cut by display width, never inside a character;
 * control characters become spaces. Returns the columns used.
 */
static int dashboard_text_draw(int y, int x, int w, attr_t a, const char *s, bool draw)
{
	wchar_t buf[512];
	mbstate_t st;
	int used = 0, n = 0;

	if (draw && (y < 0 || y >= LINES || x < 0 || x >= COLS))
		return 0;
	if (w <= 0)
		return 0;
	if (draw && w > COLS - x)
		w = COLS - x;
	memset(&st, 0, sizeof(st));
	while (*s && n < (int)(sizeof(buf) / sizeof(buf[0])) - 1) {
		wchar_t wc;
		size_t len = mbrtowc(&wc, s, strlen(s), &st);
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
		if (used + cw > w)
			break;
		buf[n++] = wc;
		used += cw;
		s += len;
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

static void dashboard_pen_add(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dashboard_pen_add(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (p->y >= p->bottom || p->col >= p->w)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* A dry pen measures too, so wrapped lines count the same. */
	p->col += dashboard_text_draw(p->y, p->x + p->col, p->w - p->col, a, buf, !p->dry);
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
}

/*
 * Writes text from the cursor, word-wrapped to the pen's width, continuing
 * at column indent, over at most maxlines lines (the last one is cut).
 * With fill, each line is painted to the edge (banners). Ends on a new line.
 */
static void dashboard_pen_fill(struct dashboard_pen *p, attr_t a);

static void dashboard_pen_wrap(struct dashboard_pen *p, attr_t a, int indent, int maxlines,
			       bool fill, const char *text)
{
	for (int line = 0; line < maxlines && *text; line++) {
		int avail = p->w - p->col, len = (int)strlen(text), cut = len;

		if (avail < 1)
			avail = 1;
		if (len > avail && line < maxlines - 1) {
			cut = avail;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = avail;
		}
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
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "%9s",
				  util_fmt_ms(e->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], "  pid %-7s",
				  probe_pid_text(e->backend_pid, pid, sizeof(pid)));
		for (int i = 0; i < PROBE_TOTAL; i++)
			dashboard_pen_add(p, d->attr[ROLE_LABEL], " %s %.2f", probe_phase_name(i),
					  isnan(e->phase_ms[i]) ? 0.0 : e->phase_ms[i]);
		dashboard_pen_nl(p);
		return;
	}
	dashboard_pen_add(p, d->attr[ROLE_BAD], "FAIL %s", classify_class_name(e->cls));
	if (e->sqlstate[0])
		dashboard_pen_add(p, d->attr[ROLE_VALUE], " %s", e->sqlstate);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], " %s", e->message);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], " (in %s after %s)",
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
	const char **last_advice = util_xcalloc((size_t)sched_ntargets(d->s), sizeof(*last_advice));
	bool any = false;

	for (unsigned i = 0; p->y < p->bottom && (e = dashboard_log_get(d, i)) != NULL; i++) {
		if (target >= 0 && e->target != target)
			continue;
		dashboard_probe_line(d, p, e, target < 0, last_advice);
		any = true;
	}
	free(last_advice);
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
	if (tls->days_left < 0)
		dashboard_pen_add(p, d->attr[ROLE_BAD], "(expired %d days ago)", -tls->days_left);
	else
		dashboard_pen_add(p, d->attr[tls->days_left < 14 ? ROLE_WARN : ROLE_OK],
				  "(%d days left)", tls->days_left);
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
	int namew = p->w - 28 < 35 ? p->w - 28 : 35;
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

			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_NORMAL], "%-*.*s",
					  namew, namew, dashboard_timeouts[i]);
			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_VALUE], " %7s",
					  st ? st->value : "-");
			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_LABEL], "  %s",
					  st ? st->source : "");
			dashboard_pen_nl(p);
		}
	}
	/* connect_timeout is the client's own: the target's, or pgpulse's default. */
	sched_probe_config(d->s, t, &pc);
	snprintf(buf, sizeof(buf), "%gs", pc.connect_timeout_ms / 1000.0);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "%-*.*s", namew, namew, "connect_timeout");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], " %7s", buf);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  %s",
			  t->dsn.connect_timeout_s > 0 ? "target" : "pgpulse default");
	dashboard_pen_nl(p);
}

static void dashboard_slots_bar(struct dashboard *d, struct dashboard_pen *p,
				const struct inspect_info *info, enum dashboard_role role)
{
	int bw = p->w - 9, used, reserved;

	if (bw < 4 || info->max_connections <= 0)
		return;
	used = (int)((long)info->in_use * bw / info->max_connections);
	reserved = (int)((long)info->reserved * bw / info->max_connections);
	if (info->in_use > 0 && used == 0)
		used = 1;
	if (used > bw)
		used = bw;
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "[");
	for (int i = 0; i < bw; i++) {
		if (i < used)
			dashboard_pen_add(p, d->attr[role], "|");
		else if (i >= bw - reserved)
			dashboard_pen_add(p, d->attr[ROLE_LABEL], "r");
		else
			dashboard_pen_add(p, d->attr[ROLE_LABEL], ".");
	}
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "]");
	dashboard_pen_add(p, d->attr[role], " %3d%%",
			  (int)lround(100.0 * info->in_use / info->max_connections));
	dashboard_pen_nl(p);
}

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
	usable = report_usable_slots(info);
	role = usable > 0 && info->in_use * 100 >= usable * 90	 ? ROLE_BAD
	       : usable > 0 && info->in_use * 100 >= usable * 70 ? ROLE_WARN
								 : ROLE_OK;
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "in use ");
	dashboard_pen_add(p, d->attr[role], "%d", info->in_use);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], " / %d max_connections", info->max_connections);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], " (%d reserved, %d usable)", info->reserved,
			  usable);
	dashboard_pen_nl(p);
	dashboard_slots_bar(d, p, info, role);

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

	if (holders_culprit(info, culprit, sizeof(culprit))) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "culprit: ");
		dashboard_pen_wrap(p, d->attr[ROLE_BAD], 9, 2, false, culprit);
	}
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
	char buf[64], spark[4 * 512];
	const char *c;
	unsigned width;

	dashboard_pen_title(p, d, "Latency", "successful probes");
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "%-6s%9s%9s%9s%9s%9s", "phase", "last", "p50",
			  "p95", "p99", "max");
	dashboard_pen_nl(p);
	for (int i = 0; i < PROBE_PHASE_COUNT; i++) {
		const struct stats_hist *h = &t->phase[i];
		attr_t a = d->attr[i == PROBE_TOTAL ? ROLE_VALUE : ROLE_NORMAL];

		dashboard_pen_add(p, d->attr[i == PROBE_TOTAL ? ROLE_VALUE : ROLE_LABEL], "%-6s",
				  probe_phase_name(i));
		dashboard_pen_add(p, a, "%9s", util_fmt_ms(h->last, buf, sizeof(buf)));
		for (size_t k = 0; k < sizeof(pct) / sizeof(pct[0]); k++)
			dashboard_pen_add(
				p, a, "%9s",
				util_fmt_ms(stats_hist_percentile(h, pct[k]), buf, sizeof(buf)));
		dashboard_pen_add(p, a, "%9s", util_fmt_ms(h->max, buf, sizeof(buf)));
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

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "outages  longest ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s",
			  t->longest_outage_ms > 0
				  ? util_fmt_ms(t->longest_outage_ms, buf, sizeof(buf))
				  : "none");
	if (t->outage_start_ms > 0)
		dashboard_pen_add(
			p, d->attr[ROLE_BAD], "  current %s",
			util_fmt_ms(util_now_ms() - t->outage_start_ms, buf, sizeof(buf)));
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "max_clients incidents ");
	dashboard_pen_add(p, d->attr[open ? ROLE_BAD : ROLE_VALUE], "%llu%s",
			  (unsigned long long)t->incidents_total, open ? " (1 open now)" : "");
	dashboard_pen_nl(p);
}

/* ---------------------------------------------------------------- header */

static void dashboard_title_bar(struct dashboard *d, const char *what)
{
	struct dashboard_pen p = { 0, 0, COLS, 1, 0, false };
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
		char banner[512];

		snprintf(banner, sizeof(banner),
			 " MAX_CLIENTS INCIDENT since %s (%s), %llu probes failed%s%s: %s %s",
			 dashboard_fmt_clock(&inc->start, false, clock, sizeof(clock)),
			 dashboard_fmt_duration(dashboard_seconds_since(&inc->start), dur,
						sizeof(dur)),
			 (unsigned long long)inc->probes_failed, limit ? ", limit " : "",
			 limit ? limit : "", inc->sqlstate, inc->message);
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

static void dashboard_key_scroll(struct dashboard *d, int key)
{
	int page = LINES > 6 ? LINES - 4 : 1;
	int max = (int)sched_target(d->s, d->current)->ev_len - 1;

	if (key == KEY_HOME)
		d->scroll = 0;
	else if (key == KEY_END)
		d->scroll = max;
	else if (key == KEY_NPAGE)
		d->scroll += page;
	else
		d->scroll -= page;
	if (d->scroll > max)
		d->scroll = max;
	if (d->scroll < 0)
		d->scroll = 0;
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
}

static const struct dashboard_key dashboard_keys[] = {
	{ { 'q', 'Q' }, "q", "q quit", "quit (closes any probe in flight)", dashboard_key_quit },
	{ { 'p', 'P' }, "p", "p pause", "pause / resume probing", dashboard_key_pause },
	{ { '+', '=' },
	  "+",
	  "+/- interval",
	  "longer interval between probes",
	  dashboard_key_interval },
	{ { '-', '_' }, "-", NULL, "shorter interval between probes", dashboard_key_interval },
	{ { 'r', 'R' },
	  "r",
	  "r reset",
	  "reset statistics (latency, counters, availability)",
	  dashboard_key_reset },
	{ { '\t', KEY_DOWN, KEY_RIGHT, 'j' },
	  "Tab Down Right",
	  "Tab next",
	  "next target (in the table, Tab opens the selected one)",
	  dashboard_key_next },
	{ { KEY_BTAB, KEY_UP, KEY_LEFT, 'k' },
	  "S-Tab Up Left",
	  NULL,
	  "previous target",
	  dashboard_key_previous },
	{ { '\r', '\n', KEY_ENTER },
	  "Enter",
	  NULL,
	  "open the selected target's full view",
	  dashboard_key_open },
	{ { 27, KEY_BACKSPACE, 127, 8 },
	  "Esc Backspace",
	  NULL,
	  "back (events: to the view before; a target: to the table)",
	  dashboard_key_back },
	{ { 'e', 'E' },
	  "e",
	  "e events",
	  "lifecycle events full screen (e again: back)",
	  dashboard_key_events },
	{ { KEY_PPAGE, KEY_NPAGE, KEY_HOME, KEY_END },
	  "PgUp PgDn Home End",
	  NULL,
	  "scroll the events (Home: newest, End: oldest)",
	  dashboard_key_scroll },
	{ { ':' },
	  ":",
	  ": prompt",
	  "open the pgpulse prompt (watch or Ctrl-D: back here)",
	  dashboard_key_prompt },
	{ { 12 }, "Ctrl-L", NULL, "redraw the screen", dashboard_key_redraw },
	{ { '?', 'h', KEY_F(1) },
	  "?",
	  "? help",
	  "this help (any key closes it)",
	  dashboard_key_help },
};

#define DASHBOARD_NKEYS (sizeof(dashboard_keys) / sizeof(dashboard_keys[0]))

static void dashboard_dispatch(struct dashboard *d, int key)
{
	if (key == KEY_RESIZE) {
		d->resized = true;
		return;
	}
	/* Like htop: any key closes the help. */
	if (d->help) {
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

static void dashboard_hints(struct dashboard *d)
{
	struct dashboard_pen p = { LINES - 1, 0, COLS, LINES, 0, false };

	if (d->status[0] && util_now_ms() < d->status_until_ms) {
		dashboard_pen_add(&p, d->attr[ROLE_SELECTED], " %s ", d->status);
		dashboard_pen_add(&p, d->attr[ROLE_NORMAL], " ");
	}
	for (size_t i = 0; i < DASHBOARD_NKEYS; i++) {
		if (dashboard_keys[i].hint == NULL)
			continue;
		const char *hint = dashboard_keys[i].hint, *space = strchr(hint, ' ');
		int klen = space ? (int)(space - hint) : (int)strlen(hint);

		/* "q quit": the key stands out, the word explains it. */
		dashboard_pen_add(&p, d->attr[ROLE_VALUE], "%.*s", klen, hint);
		dashboard_pen_add(&p, d->attr[ROLE_LABEL], "%s  ", space ? space : "");
	}
}

/* The help overlay, drawn from the table that dispatches the keys. */
static void dashboard_draw_help(struct dashboard *d)
{
	int w = COLS - 4 < 76 ? COLS - 4 : 76, h = (int)DASHBOARD_NKEYS + 4;
	int x, y;
	struct dashboard_pen p;

	if (h > LINES - 2)
		h = LINES - 2;
	if (w < 10 || h < 3)
		return;
	x = (COLS - w) / 2;
	y = (LINES - h) / 2;
	for (int r = 0; r < h; r++) {
		p = (struct dashboard_pen){ y + r, x, w, y + h, 0, false };
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
	p = (struct dashboard_pen){ y + 2, x + 2, w - 4, y + h - 1, 0, false };
	for (size_t i = 0; i < DASHBOARD_NKEYS; i++) {
		dashboard_pen_add(&p, d->attr[ROLE_VALUE], "%-16s", dashboard_keys[i].label);
		dashboard_pen_add(&p, d->attr[ROLE_NORMAL], "%s", dashboard_keys[i].help);
		dashboard_pen_nl(&p);
	}
	dashboard_text(y + h - 1, x + 2, w - 4, d->attr[ROLE_LABEL], " any key closes this help ");
}

/* ---------------------------------------------------------------- views */

/* Height of a panel, measured by drawing it with a dry pen. */
static int dashboard_panel_height(struct dashboard *d, struct target *t, dashboard_panel_fn fn,
				  int w)
{
	struct dashboard_pen p = { 0, 0, w, 1 << 20, 0, true };

	fn(d, t, &p);
	return p.y;
}

/*
 * Stacks panels from row y down, each whole or not at all, leaving rows
 * below `bottom` free. Returns the first row after them.
 */
static int dashboard_column(struct dashboard *d, struct target *t, const dashboard_panel_fn *fns,
			    int n, int y, int x, int w, int bottom)
{
	for (int i = 0; i < n; i++) {
		int h = dashboard_panel_height(d, t, fns[i], w);
		struct dashboard_pen p = { y, x, w, y + h, 0, false };

		if (y + h > bottom)
			continue;
		fns[i](d, t, &p);
		y += h;
	}
	return y;
}

static void dashboard_draw_detail(struct dashboard *d)
{
	static const dashboard_panel_fn left[] = {
		dashboard_panel_server,
		dashboard_panel_tls,
		dashboard_panel_timeouts,
	};
	static const dashboard_panel_fn right[] = {
		dashboard_panel_slots,
		dashboard_panel_latency,
		dashboard_panel_counters,
	};
	/* One column: the most telling panels first, the rest as room allows. */
	static const dashboard_panel_fn stacked[] = {
		dashboard_panel_latency, dashboard_panel_counters, dashboard_panel_slots,
		dashboard_panel_server,	 dashboard_panel_tls,	   dashboard_panel_timeouts,
	};
	struct target *t = sched_target(d->s, d->current);
	struct dashboard_pen p = { 1, 0, COLS, LINES - 1, 0, false };
	char what[600];
	int top, bottom = LINES - 1, end, events_min = 4;
	int n = sched_ntargets(d->s);

	if (n > 1)
		snprintf(what, sizeof(what), "[%d/%d] %s", d->current + 1, n, t->dsn.display);
	else
		snprintf(what, sizeof(what), "%s", t->dsn.display);
	dashboard_title_bar(d, what);
	dashboard_state_lines(d, t, &p);
	top = p.y;

	if (COLS >= DASHBOARD_TWO_COLUMNS) {
		int lw = COLS / 2 + 3 < 64 ? COLS / 2 + 3 : 64, rw = COLS - lw - 1;
		int l = dashboard_column(d, t, left, 3, top, 0, lw, bottom - events_min);
		int r = dashboard_column(d, t, right, 3, top, lw + 1, rw, bottom - events_min);

		end = l > r ? l : r;
	} else {
		end = dashboard_column(d, t, stacked, 6, top, 0, COLS, bottom - events_min);
	}
	p = (struct dashboard_pen){ end, 0, COLS, bottom, 0, false };
	dashboard_pen_title(&p, d, "Probes", "newest first; e: every lifecycle event");
	dashboard_probe_log(d, &p, t->index);
	dashboard_hints(d);
}

static void dashboard_draw_table(struct dashboard *d)
{
	int n = sched_ntargets(d->s), namew = 6, up = 0, down = 0, other = 0;
	bool wide;
	struct dashboard_pen p = { 1, 0, COLS, LINES - 1, 0, false };
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
		else
			other++;
	}
	if (namew > 28)
		namew = 28;
	/* Narrow screens keep the columns that tell up from down. */
	wide = COLS >= 88 + namew;
	snprintf(what, sizeof(what), "%d targets", n);
	dashboard_title_bar(d, what);
	dashboard_pen_add(&p, d->attr[ROLE_OK], "%d up", up);
	dashboard_pen_add(&p, d->attr[down ? ROLE_BAD : ROLE_NORMAL], "  %d down", down);
	dashboard_pen_add(&p, d->attr[ROLE_NORMAL], "  %d other", other);
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
	struct dashboard_pen p = { 1, 0, COLS, LINES - 1, 0, false };
	const struct probe_event *ev;
	char what[600], clock[32], ms[32];

	snprintf(what, sizeof(what), "events  %s", t->dsn.display);
	dashboard_title_bar(d, what);
	dashboard_pen_add(
		&p, d->attr[ROLE_LABEL],
		"newest first; PgUp/PgDn/Home/End scroll, e or Esc back   (%u kept, %llu seen",
		t->ev_len, (unsigned long long)t->ev_total);
	if (d->scroll)
		dashboard_pen_add(&p, d->attr[ROLE_WARN], ", scrolled back %d", d->scroll);
	dashboard_pen_add(&p, d->attr[ROLE_LABEL], ")");
	dashboard_pen_nl(&p);
	if (t->ev_len == 0) {
		dashboard_pen_add(&p, d->attr[ROLE_LABEL], "  no events yet");
		dashboard_pen_nl(&p);
	}
	for (unsigned i = (unsigned)d->scroll; p.y < p.bottom && (ev = target_event(t, i)); i++) {
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

static void dashboard_on_stdin(void *arg)
{
	struct dashboard *d = arg;
	int key, keys = 0;

	/* The prompt reads the terminal while it is open. */
	if (d->in_prompt)
		return;
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

static void dashboard_on_signal(void *arg)
{
	struct dashboard *d = arg;
	int kinds;

	if (d->in_prompt)
		return;
	kinds = signals_take();
	if (kinds & SIGNALS_STOP)
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

static void dashboard_open_prompt(struct dashboard *d)
{
	int current = d->current;
	enum shell_exit rc;

	d->want_prompt = false;
	d->in_prompt = true;
	def_prog_mode();
	endwin();
	rc = shell_prompt(d->s, d->o, &current);
	reset_prog_mode();
	d->in_prompt = false;
	/* The prompt may have set its own callbacks; the dashboard's come back. */
	sched_set_callbacks(d->s, dashboard_on_result, dashboard_on_event, d);
	if (current >= 0 && current < sched_ntargets(d->s))
		d->current = current;
	dashboard_resize(d);
	if (rc == SHELL_QUIT)
		d->quit = true;
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
	dashboard_colors_init(d);
	return true;
}

int dashboard_run(struct sched *s, const struct app_options *o)
{
	struct dashboard *d = util_xcalloc(1, sizeof(*d));

	d->s = s;
	d->o = o;
	d->view = sched_ntargets(s) > 1 ? VIEW_TABLE : VIEW_DETAIL;
	if (!dashboard_screen_init(d)) {
		const char *term = getenv("TERM");

		fprintf(stderr,
			"pgpulse: cannot use terminal type '%s'; printing a probe log instead\n",
			term ? term : "");
		free(d);
		return watch_run(s, o);
	}
	sched_set_callbacks(s, dashboard_on_result, dashboard_on_event, d);
	if (!sched_watch_fd(s, STDIN_FILENO, dashboard_on_stdin, d) ||
	    !sched_watch_fd(s, signals_fd(), dashboard_on_signal, d)) {
		sched_set_callbacks(s, NULL, NULL, NULL);
		endwin();
		delscreen(d->screen);
		free(d);
		fputs("pgpulse: cannot watch the terminal\n", stderr);
		return APP_EXIT_USAGE;
	}
	d->dirty = true;
	d->next_tick_ms = util_now_ms() + dashboard_ms_to_next_second();

	while (!d->quit) {
		double now = util_now_ms();
		double wait = d->dirty ? d->next_draw_ms - now : d->next_tick_ms - now;

		sched_run_once(s, wait > 0 ? wait : 0);
		now = util_now_ms();
		if (d->resized)
			dashboard_resize(d);
		if (d->want_prompt)
			dashboard_open_prompt(d);
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

	/* Nothing of ours stays connected once the screen is gone. */
	sched_cancel_all(s);
	sched_set_callbacks(s, NULL, NULL, NULL);
	endwin();
	delscreen(d->screen);
	free(d);
	return APP_EXIT_OK;
}
