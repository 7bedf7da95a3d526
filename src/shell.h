/*
 * shell: the readline prompt for ad-hoc checks (pgpulse shell, and ':' in
 * the dashboard). One table of commands: name, arguments, help, handler.
 */
#ifndef PGPULSE_SHELL_H
#define PGPULSE_SHELL_H

#include "app.h"

/*
 * pgpulse shell: the prompt on a terminal, else the commands of
 * o->shell_commands (-c) or of stdin, in order. Background probing is
 * paused (each command opens the one connection it needs; 'set probing
 * on' resumes it). Returns the worst command status for scripts (0/1/2/3),
 * 0 after an interactive session; 'watch' hands over to dashboard_run.
 */
int shell_run(struct sched *s, const struct app_options *o);

/*
 * A command line with every password masked, as the history keeps it
 * (malloc'd). main also uses it to blank -c's text in the process arguments.
 */
char *shell_mask_line(const char *line);

/*
 * The prompt opened with ':' from the dashboard. The caller has left curses
 * mode (def_prog_mode(); endwin()). Probing goes on while the prompt is
 * open; the dashboard's scheduler callbacks and watched fds rest meanwhile
 * (sched_frontend_save/restore) and come back on return. *current is the
 * dashboard's selected target, updated by 'target use'. A resize seen
 * while open is re-raised as SIGWINCH on return. Returns
 * SHELL_BACK_TO_DASHBOARD ('watch', Ctrl-D) or SHELL_QUIT ('quit', SIGTERM).
 */
enum shell_exit { SHELL_BACK_TO_DASHBOARD = 0, SHELL_QUIT = 1 };
enum shell_exit shell_prompt(struct sched *s, const struct app_options *o, int *current);

#endif
