/*
 * dashboard_priv: what the dashboard's files share (dashboard.c: keys,
 * views and loop; dashboard_panels.c: the panels and the probe log;
 * dashboard_pen.c: colours, text and the pen). Not for other modules.
 */
#ifndef PGPULSE_DASHBOARD_PRIV_H
#define PGPULSE_DASHBOARD_PRIV_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <wchar.h>

#include "app.h"
#include "probe.h"
#include "target.h"

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
	/* per target: its shortest label that tells it apart (dashboard_labels_refresh) */
	char **labels;
	int nlabels;
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

/* Box-drawing pieces: Unicode lines, or ASCII when the locale is not UTF-8. */
enum dashboard_line { LINE_H, LINE_V, LINE_TL, LINE_TR, LINE_BL, LINE_BR, LINE_COUNT };

/* A panel draws one target through a pen (a dry pen measures it). */
typedef void (*dashboard_panel_fn)(struct dashboard *d, struct target *t, struct dashboard_pen *p);

/* What marks clipped text: the locale's ellipsis, or '~' in ASCII. */
extern wchar_t dashboard_ellipsis;

/*
 * dashboard_pen.c: colours by role; text cut by display width; the pen
 * (add, field, wrap, fill, title), which only measures when dry; formats.
 */
struct dashboard_pen dashboard_pen_make(int y, int x, int w, int bottom);

void dashboard_colors_init(struct dashboard *d);

enum dashboard_role dashboard_health_badge(enum target_health h);

enum dashboard_role dashboard_health_text(enum target_health h);

int dashboard_text(int y, int x, int w, attr_t a, const char *s);

int dashboard_text_width(const char *s);

void dashboard_pen_add(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void dashboard_pen_field(struct dashboard_pen *p, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void dashboard_pen_at(struct dashboard_pen *p, int col);

void dashboard_pen_nl(struct dashboard_pen *p);

int dashboard_wrap_cut(const char *text, int avail);

void dashboard_pen_wrap(struct dashboard_pen *p, attr_t a, int indent, int maxlines, bool fill,
			const char *text);

void dashboard_pen_fill(struct dashboard_pen *p, attr_t a);

void dashboard_line(const struct dashboard *d, enum dashboard_line g, int y, int x, int n,
		    bool vertical, attr_t a);

void dashboard_pen_title(struct dashboard_pen *p, const struct dashboard *d, const char *title,
			 const char *note);

char *dashboard_fmt_duration(double s, char *out, size_t n);

char *dashboard_fmt_clock(const struct timespec *ts, bool ms, char *out, size_t n);

char *dashboard_fmt_interval(double ms, char *out, size_t n);

double dashboard_seconds_since(const struct timespec *ts);

double dashboard_ms_to_next_second(void);

const char *dashboard_addr_family(const char *addr);

/*
 * What tells a target apart from the others in the table and the log: its
 * name (NAME=TARGET, service, else host:port), and where another target has
 * the same name, as much more as needed: /db, then user@, then ?sslmode=.
 */
/*
 * Labels are worked out once per set of targets (a new one can make an old
 * label ambiguous): every frame shows them, and telling N targets apart
 * costs O(N log N).
 */
void dashboard_labels_refresh(struct dashboard *d);
void dashboard_labels_free(struct dashboard *d);
const char *dashboard_target_label(const struct dashboard *d, const struct target *t, char *out,
				   size_t n);

/*
 * dashboard_panels.c: the probe log (recent outcomes, all targets) and the
 * panels. A new panel is one function here and one row of dashboard_panels[]
 * in dashboard.c (name, function, where it goes).
 */
void dashboard_log_push(struct dashboard *d, const struct target *t, const struct probe_result *r);

const struct dashboard_probe *dashboard_log_find(const struct dashboard *d, int target,
						 uint64_t seq);

const struct dashboard_probe *dashboard_last_failure(const struct dashboard *d, int target);

void dashboard_probe_log(struct dashboard *d, struct dashboard_pen *p, int target);

void dashboard_panel_server(struct dashboard *d, struct target *t, struct dashboard_pen *p);

void dashboard_panel_tls(struct dashboard *d, struct target *t, struct dashboard_pen *p);

void dashboard_panel_timeouts(struct dashboard *d, struct target *t, struct dashboard_pen *p);

void dashboard_panel_slots(struct dashboard *d, struct target *t, struct dashboard_pen *p);

void dashboard_panel_latency(struct dashboard *d, struct target *t, struct dashboard_pen *p);

void dashboard_panel_counters(struct dashboard *d, struct target *t, struct dashboard_pen *p);
/* PgBouncer's admin view (issue 9); empty for other targets. */
void dashboard_panel_pooler(struct dashboard *d, struct target *t, struct dashboard_pen *p);

void dashboard_title_bar(struct dashboard *d, const char *what);

void dashboard_state_lines(struct dashboard *d, struct target *t, struct dashboard_pen *p);

#endif
