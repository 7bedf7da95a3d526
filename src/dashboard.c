/*
 * dashboard: the live ncurses view, modelled on mtr's live table and htop's
 * screen. The scheduler drives the probes; the dashboard sleeps in the same
 * poll() loop, reads targets and events, and redraws only when something
 * changed (at most ten times a second, once a second for the clocks). This
 * file has the keys, the views (table, detail, events, help) and the loop;
 * the pen is in dashboard_pen.c, the panels in dashboard_panels.c.
 */
#include "dashboard.h"
#include "dashboard_priv.h"
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
	dashboard_set_status(d, "counters, latency and availability reset; log, events and "
				"incidents kept");
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
	  "reset counters, failures by class, latency, availability and trend; the log, "
	  "events and incidents stay (views then say since when)",
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
	{ "pooler", dashboard_panel_pooler, 1 },
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
	char what[64], buf[64], dur[32], label[256];

	for (int i = 0; i < n; i++) {
		struct target *t = sched_target(d->s, i);
		int len = (int)strlen(dashboard_target_label(d, t, label, sizeof(label)));

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
				  namew, namew, dashboard_target_label(d, t, label, sizeof(label)));
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
	dashboard_labels_refresh(d);
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
	dashboard_labels_free(d);
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
