/*
 * askpass: the password prompt of -W/--password, on /dev/tty with echo
 * off, as psql asks for it.
 */
#ifndef PGPULSE_ASKPASS_H
#define PGPULSE_ASKPASS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes prompt to the controlling terminal and reads one line into buf
 * with echo off. Returns false with a reason in err when there is no
 * terminal, at end of input, or on Ctrl-C (buf is then cleared).
 */
bool askpass_read(const char *prompt, char *buf, size_t len, char *err, size_t errlen);

#endif
