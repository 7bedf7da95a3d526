/*
 * shell: the readline prompt for ad-hoc checks (pgpulse shell, and ':' in
 * the dashboard). One table of commands: name, arguments, help, handler.
 */
#ifndef PGPULSE_SHELL_H
#define PGPULSE_SHELL_H

#include "app.h"

/* Runs the prompt (or o->shell_commands / non-terminal stdin); returns the worst status. */
int shell_run(struct sched *s, const struct app_options *o);

#endif

#ifndef PGPULSE_SHELL_PROMPT
#define PGPULSE_SHELL_PROMPT
/*
 * The prompt opened with ':' from the dashboard. The caller has left curses
 * mode (def_prog_mode(); endwin()). Probing goes on while the prompt is
 * open. *current is the dashboard's selected target, updated by 'target
 * use'. Returns SHELL_BACK_TO_DASHBOARD ('watch', Ctrl-D) or SHELL_QUIT ('quit').
 */
enum shell_exit { SHELL_BACK_TO_DASHBOARD = 0, SHELL_QUIT = 1 };
enum shell_exit shell_prompt(struct sched *s, const struct app_options *o, int *current);
#endif
