/*
 * shell: the readline prompt for ad-hoc checks (pgpulse shell, and ':' in
 * the dashboard), two front-ends (app.h). One table of commands (name,
 * usage, help, handler, what each argument is) in shell_cmds.c; the
 * prompt's state in shell_session.c; its pure word splitting and masking
 * in shell_words.c; input, history and the loop in shell.c.
 */
#ifndef PGPULSE_SHELL_H
#define PGPULSE_SHELL_H

#include "app.h"

/*
 * pgpulse shell, a front-end (app.h): the prompt on a terminal, else the
 * commands of o->shell_commands (-c) or of stdin, in order. Background
 * probing is paused (each command opens the one connection it needs; 'set
 * probing on' resumes it). a->exit_code gets the worst command status for
 * scripts (0/1/2/3), 0 after an interactive session. Returns
 * APP_NEXT_DASHBOARD after 'watch' (probing resumed), else APP_NEXT_EXIT.
 */
enum app_next shell_run(struct app *a);

/*
 * A command line with every password masked, as the history keeps it
 * (malloc'd). main also uses it to blank -c's text in the process arguments.
 */
char *shell_mask_line(const char *line);

/* The prompt's commands in table order (for --help); NULL past the last. */
const char *shell_command_name(size_t i);

/*
 * The prompt opened with ':' from the dashboard, a front-end main runs
 * after dashboard_run returned APP_NEXT_PROMPT (the dashboard has left
 * curses mode and rests its descriptors; it still hears results). Probing
 * goes on while the prompt is open. a->current is the selected target,
 * updated by 'target use'. A resize seen while open is re-raised as
 * SIGWINCH on return. Always returns APP_NEXT_DASHBOARD, with a->quit set
 * after 'quit' or SIGTERM.
 */
enum app_next shell_prompt(struct app *a);

#endif
